package io.sextant.config;

import io.sextant.config.networking.Destination;
import io.sextant.config.networking.HttpMatchRequest;
import io.sextant.config.networking.HttpRoute;
import io.sextant.config.networking.HttpRouteDestination;
import io.sextant.config.networking.StringMatch;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.yaml.YamlObject;
import io.sextant.model.Hostnames;
import java.util.List;
import java.util.Optional;

/** Reads and validates the spec of a VirtualService. */
final class VirtualServiceReader {
  private VirtualServiceReader() {}

  static VirtualService read(ResourceMeta meta, YamlObject spec) {
    List<String> hosts = spec.stringList("hosts");
    if (hosts.isEmpty()) {
      spec.error("hosts", "at least one host is required");
    }
    for (String host : hosts) {
      checkHost(spec, "hosts", host);
    }
    List<String> gateways = spec.stringList("gateways");
    if (!gateways.isEmpty() && !gateways.equals(List.of("mesh"))) {
      spec.error(
          "gateways",
          "only the sidecar gateway 'mesh' is supported by Sextant yet, got " + gateways);
    }
    List<HttpRoute> http = spec.list("http", VirtualServiceReader::readRoute);
    spec.unsupported("tcp", "tls", "exportTo");
    spec.finish();
    return new VirtualService(meta, hosts, http);
  }

  static void checkHost(YamlObject at, String key, String host) {
    if (!Hostnames.isValid(host) && !Hostnames.isWildcard(host)) {
      at.error(key, "expected a DNS name or a wildcard such as *.example.com, got '" + host + "'");
    }
  }

  private static HttpRoute readRoute(YamlObject r) {
    String name = r.string("name", "");
    List<HttpMatchRequest> match = r.list("match", VirtualServiceReader::readMatch);
    List<HttpRouteDestination> route = r.list("route", VirtualServiceReader::readDestination);
    if (route.isEmpty() && !r.has("route")) {
      r.error(
          "route",
          "missing required field 'route' (redirects and direct responses are not supported yet)");
    }
    if (route.size() > 1 && route.stream().mapToLong(HttpRouteDestination::weight).sum() == 0) {
      r.error(
          "route", "a route with several destinations needs weights; all weights are 0 or unset");
    }
    r.unsupported(
        "redirect",
        "directResponse",
        "delegate",
        "rewrite",
        "timeout",
        "retries",
        "fault",
        "mirror",
        "mirrors",
        "mirrorPercentage",
        "mirror_percent",
        "mirrorPercent",
        "corsPolicy",
        "headers");
    r.finish();
    return new HttpRoute(name, match, route, r.location());
  }

  private static HttpMatchRequest readMatch(YamlObject m) {
    String name = m.string("name", "");
    Optional<StringMatch> uri = m.object("uri").map(VirtualServiceReader::readStringMatch);
    m.unsupported(
        "scheme",
        "method",
        "authority",
        "headers",
        "port",
        "sourceLabels",
        "gateways",
        "queryParams",
        "ignoreUriCase",
        "withoutHeaders",
        "sourceNamespace",
        "statPrefix");
    m.finish();
    return new HttpMatchRequest(name, uri);
  }

  private static StringMatch readStringMatch(YamlObject s) {
    Optional<String> exact = s.string("exact");
    Optional<String> prefix = s.string("prefix");
    s.unsupported("regex");
    s.finish();
    if (exact.isPresent() && prefix.isPresent()) {
      s.problems().add(s.location(), s.path(), "set only one of 'exact' and 'prefix'");
      return null;
    }
    if (exact.isPresent()) {
      return new StringMatch.Exact(exact.get());
    }
    if (prefix.isPresent()) {
      return new StringMatch.Prefix(prefix.get());
    }
    s.problems().add(s.location(), s.path(), "expected one of 'exact' or 'prefix'");
    return null;
  }

  private static HttpRouteDestination readDestination(YamlObject d) {
    Optional<YamlObject> destination = d.requiredObject("destination");
    int weight = d.integer("weight", 0, Integer.MAX_VALUE).orElse(0);
    d.unsupported("headers");
    d.finish();
    return destination.map(dest -> new HttpRouteDestination(readDest(dest), weight)).orElse(null);
  }

  static Destination readDest(YamlObject dest) {
    String host = dest.requiredString("host");
    if (!host.isEmpty() && !Hostnames.isValid(host)) {
      dest.error("host", "expected a DNS name, got '" + host + "'");
    }
    String subset = dest.string("subset", "");
    int port =
        dest.object("port")
            .map(
                p -> {
                  int number = p.requiredInteger("number", 1, 65535);
                  p.finish();
                  return number;
                })
            .orElse(0);
    dest.finish();
    return new Destination(host, subset, port);
  }
}
