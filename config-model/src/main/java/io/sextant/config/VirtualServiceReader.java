package io.sextant.config;

import io.sextant.config.networking.Answer;
import io.sextant.config.networking.CorsPolicy;
import io.sextant.config.networking.Destination;
import io.sextant.config.networking.Fault;
import io.sextant.config.networking.HeaderOperations;
import io.sextant.config.networking.HttpMatchRequest;
import io.sextant.config.networking.HttpRoute;
import io.sextant.config.networking.HttpRouteDestination;
import io.sextant.config.networking.Mirror;
import io.sextant.config.networking.RetryPolicy;
import io.sextant.config.networking.Rewrite;
import io.sextant.config.networking.RouteDestination;
import io.sextant.config.networking.StringMatch;
import io.sextant.config.networking.TcpRoute;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.yaml.YamlObject;
import io.sextant.model.Hostnames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    List<TcpRoute> tcp = spec.list("tcp", VirtualServiceReader::readTcpRoute);
    List<String> exportTo = spec.stringList("exportTo");
    for (String to : exportTo) {
      if (to.equals("~")) {
        spec.error("exportTo", "'~' (visible to no namespace) is not supported by Sextant yet");
      } else if (!to.equals("*")
          && !to.equals(".")
          && !to.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        spec.error("exportTo", "expected '.', '*' or a namespace name, got '" + to + "'");
      }
    }
    spec.unsupported("tls");
    spec.finish();
    return new VirtualService(meta, hosts, http, tcp, exportTo);
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
    Optional<Answer> redirect = r.object("redirect").map(VirtualServiceReader::readRedirect);
    Optional<Answer> direct =
        r.object("directResponse").map(VirtualServiceReader::readDirectResponse);
    Optional<Answer> answer = redirect.or(() -> direct);
    int kinds =
        (r.has("route") ? 1 : 0) + (r.has("redirect") ? 1 : 0) + (r.has("directResponse") ? 1 : 0);
    if (kinds == 0) {
      r.error("route", "missing required field 'route' (or 'redirect', or 'directResponse')");
    } else if (kinds > 1) {
      r.error(
          r.has("redirect") ? "redirect" : "directResponse",
          "set only one of 'route', 'redirect' and 'directResponse'");
    }
    if (route.size() > 1 && route.stream().mapToLong(HttpRouteDestination::weight).sum() == 0) {
      r.error(
          "route", "a route with several destinations needs weights; all weights are 0 or unset");
    }
    HeaderOperations headers =
        r.object("headers").map(VirtualServiceReader::readHeaders).orElse(HeaderOperations.NONE);
    Optional<Rewrite> rewrite = r.object("rewrite").map(VirtualServiceReader::readRewrite);
    Optional<java.time.Duration> timeout =
        IstioDurations.read(r, "timeout", java.time.Duration.ofMillis(1));
    Optional<RetryPolicy> retries = r.object("retries").map(VirtualServiceReader::readRetries);
    List<Mirror> mirrors = readMirrors(r);
    Optional<Fault> fault = r.object("fault").map(FaultReader::read);
    Optional<CorsPolicy> cors = r.object("corsPolicy").map(CorsPolicyReader::read);
    r.unsupported("delegate");
    r.finish();
    return new HttpRoute(
        name,
        match,
        route,
        r.location(),
        headers,
        rewrite,
        answer,
        timeout,
        retries,
        mirrors,
        fault,
        cors);
  }

  /** Envoy's {@code x-envoy-retry-on} and {@code x-envoy-retry-grpc-on} conditions. */
  private static final List<String> RETRY_CONDITIONS =
      List.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "envoy-ratelimited",
          "retriable-4xx",
          "refused-stream",
          "retriable-status-codes",
          "retriable-headers",
          "http3-post-connect-failure",
          "cancelled",
          "deadline-exceeded",
          "internal",
          "resource-exhausted",
          "unavailable");

  /** Istio's {@code HTTPRetry}. */
  private static RetryPolicy readRetries(YamlObject r) {
    int attempts = r.integer("attempts", 0, Integer.MAX_VALUE).orElse(0);
    Optional<java.time.Duration> perTry =
        IstioDurations.read(r, "perTryTimeout", java.time.Duration.ofMillis(1));
    List<String> conditions = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    Optional<String> retryOn = r.string("retryOn");
    if (retryOn.isPresent()) {
      for (String part : retryOn.get().split(",")) {
        String condition = part.trim();
        if (condition.isEmpty()) {
          continue;
        }
        if (condition.matches("\\d+")) {
          int code = Integer.parseInt(condition);
          if (code < 100 || code > 599) {
            r.error("retryOn", "'" + condition + "' is not an HTTP status code (100 to 599)");
          }
          codes.add(code);
        } else if (RETRY_CONDITIONS.contains(condition)) {
          conditions.add(condition);
        } else {
          r.error(
              "retryOn",
              "'"
                  + condition
                  + "' is not a retry condition; expected HTTP status codes or "
                  + String.join(", ", RETRY_CONDITIONS));
        }
      }
      if (!codes.isEmpty() && !conditions.contains("retriable-status-codes")) {
        conditions.add("retriable-status-codes");
      }
    }
    boolean remote = r.bool("retryRemoteLocalities").orElse(false);
    Optional<Boolean> ignorePrevious = r.bool("retryIgnorePreviousHosts");
    Optional<java.time.Duration> backoff =
        IstioDurations.read(r, "backoff", java.time.Duration.ofMillis(1));
    r.finish();
    return new RetryPolicy(
        attempts,
        perTry,
        retryOn.isPresent() ? conditions : RetryPolicy.DEFAULT_RETRY_ON,
        codes,
        remote,
        ignorePrevious,
        backoff);
  }

  /**
   * Istio's {@code mirror} with {@code mirrorPercentage} (or the deprecated integer {@code
   * mirrorPercent}), or the newer list {@code mirrors}; 100% when no percentage is given.
   */
  private static List<Mirror> readMirrors(YamlObject r) {
    Optional<Double> percentage = Percentages.read(r, "mirrorPercentage");
    Optional<Integer> legacy = r.integer("mirrorPercent", 0, 100);
    Optional<Integer> legacySnake = r.integer("mirror_percent", 0, 100);
    Optional<Destination> single = r.object("mirror").map(VirtualServiceReader::readDest);
    List<Mirror> many =
        r.list(
            "mirrors",
            m -> {
              Optional<Destination> dest =
                  m.requiredObject("destination").map(VirtualServiceReader::readDest);
              double percent = Percentages.read(m, "percentage").orElse(100.0);
              m.finish();
              return dest.map(d -> new Mirror(d, percent)).orElse(null);
            });
    if (single.isPresent() && r.has("mirrors")) {
      r.error("mirrors", "set only one of 'mirror' and 'mirrors'");
    }
    if (single.isEmpty()
        && (percentage.isPresent() || legacy.isPresent() || legacySnake.isPresent())) {
      r.error(
          percentage.isPresent() ? "mirrorPercentage" : "mirrorPercent",
          "a mirror percentage needs 'mirror'");
    }
    if (single.isPresent()) {
      double percent =
          percentage.orElseGet(
              () -> legacy.or(() -> legacySnake).map(Integer::doubleValue).orElse(100.0));
      return List.of(new Mirror(single.get(), percent));
    }
    return many;
  }

  /** Istio's {@code TCPRoute}: port matches and weighted destinations. */
  private static TcpRoute readTcpRoute(YamlObject r) {
    // A match without a port matches every port, and so does the whole route.
    List<Integer> ports =
        r.list(
            "match",
            m -> {
              int port = m.integer("port", 1, 65535).orElse(0);
              m.unsupported(
                  "destinationSubnets",
                  "sourceLabels",
                  "gateways",
                  "sourceNamespace",
                  "sourceSubnet");
              m.finish();
              return port;
            });
    boolean matchesAnyPort = ports.isEmpty() || ports.contains(0);
    List<RouteDestination> route =
        r.list(
            "route",
            d -> {
              Optional<Destination> dest =
                  d.requiredObject("destination").map(VirtualServiceReader::readDest);
              int weight = d.integer("weight", 0, Integer.MAX_VALUE).orElse(0);
              d.finish();
              return dest.map(x -> new RouteDestination(x, weight)).orElse(null);
            });
    if (!r.has("route")) {
      r.error("route", "missing required field 'route'");
    }
    if (route.size() > 1 && route.stream().mapToLong(RouteDestination::weight).sum() == 0) {
      r.error(
          "route", "a route with several destinations needs weights; all weights are 0 or unset");
    }
    r.finish();
    return new TcpRoute(matchesAnyPort ? List.of() : ports, route, r.location());
  }

  /** Istio's {@code HTTPRedirect}. */
  private static Answer readRedirect(YamlObject r) {
    Optional<String> uri = r.string("uri");
    Optional<String> authority = r.string("authority");
    int port = r.integer("port", 1, 65535).orElse(0);
    Optional<String> scheme = r.oneOf("scheme", List.of("http", "https"));
    int code = r.integer("redirectCode", 300, 399).orElse(301);
    if (!List.of(301, 302, 303, 307, 308).contains(code)) {
      r.error("redirectCode", "expected 301, 302, 303, 307 or 308, got " + code);
    }
    r.unsupported("derivePort");
    r.finish();
    return new Answer.Redirect(uri, authority, port, scheme, code);
  }

  /** Istio's {@code HTTPDirectResponse}: a status and an optional string body. */
  private static Answer readDirectResponse(YamlObject d) {
    int status = d.requiredInteger("status", 200, 599);
    Optional<String> body =
        d.object("body")
            .map(
                b -> {
                  Optional<String> text = b.string("string");
                  b.unsupported("bytes");
                  b.finish();
                  return text.orElse("");
                });
    d.finish();
    return new Answer.Direct(status, body);
  }

  static HttpMatchRequest readMatch(YamlObject m) {
    String name = m.string("name", "");
    Optional<StringMatch> uri = m.object("uri").map(s -> readStringMatch(s, false));
    boolean ignoreUriCase = m.bool("ignoreUriCase").orElse(false);
    Optional<StringMatch> method = m.object("method").map(s -> readStringMatch(s, false));
    Optional<StringMatch> authority = m.object("authority").map(s -> readStringMatch(s, false));
    Map<String, Optional<StringMatch>> headers = conditions(m, "headers", true);
    Map<String, Optional<StringMatch>> queryParams = conditions(m, "queryParams", false);
    int port = m.integer("port", 1, 65535).orElse(0);
    Map<String, String> sourceLabels = m.stringMap("sourceLabels");
    String sourceNamespace = m.string("sourceNamespace", "");
    m.unsupported("scheme", "gateways", "withoutHeaders", "statPrefix");
    m.finish();
    return new HttpMatchRequest(
        name,
        uri,
        ignoreUriCase,
        method,
        authority,
        headers,
        queryParams,
        port,
        sourceLabels,
        sourceNamespace);
  }

  /** {@code headers} or {@code queryParams}: a condition per name; {@code {}} means present. */
  private static Map<String, Optional<StringMatch>> conditions(
      YamlObject m, String key, boolean lowerCaseNames) {
    Map<String, Optional<StringMatch>> found = new LinkedHashMap<>();
    m.object(key)
        .ifPresent(
            h -> {
              for (String name : h.keys()) {
                h.object(name)
                    .ifPresent(
                        s -> {
                          if (lowerCaseNames && !name.equals(name.toLowerCase(Locale.ROOT))) {
                            h.error(name, "header names must be lower case");
                          }
                          found.put(name, Optional.ofNullable(readStringMatch(s, true)));
                        });
              }
              h.finish();
            });
    return found;
  }

  /**
   * One of {@code exact}, {@code prefix} or {@code regex} (RE2, checked here as Envoy will). With
   * {@code emptyMeansPresent}, an empty object is allowed and means "present" (null is returned).
   */
  static StringMatch readStringMatch(YamlObject s, boolean emptyMeansPresent) {
    Optional<String> exact = s.string("exact");
    Optional<String> prefix = s.string("prefix");
    Optional<String> regex = s.string("regex");
    s.finish();
    long set = List.of(exact, prefix, regex).stream().filter(Optional::isPresent).count();
    if (set > 1) {
      s.problems().add(s.location(), s.path(), "set only one of 'exact', 'prefix' and 'regex'");
      return null;
    }
    if (exact.isPresent()) {
      return new StringMatch.Exact(exact.get());
    }
    if (prefix.isPresent()) {
      return new StringMatch.Prefix(prefix.get());
    }
    if (regex.isPresent()) {
      try {
        com.google.re2j.Pattern.compile(regex.get());
      } catch (com.google.re2j.PatternSyntaxException e) {
        s.error("regex", "not a valid RE2 regular expression: " + e.getDescription());
        return null;
      }
      return new StringMatch.Regex(regex.get());
    }
    if (!emptyMeansPresent) {
      s.problems().add(s.location(), s.path(), "expected one of 'exact', 'prefix' or 'regex'");
    }
    return null;
  }

  private static HttpRouteDestination readDestination(YamlObject d) {
    Optional<YamlObject> destination = d.requiredObject("destination");
    int weight = d.integer("weight", 0, Integer.MAX_VALUE).orElse(0);
    HeaderOperations headers =
        d.object("headers").map(VirtualServiceReader::readHeaders).orElse(HeaderOperations.NONE);
    d.finish();
    return destination
        .map(dest -> new HttpRouteDestination(readDest(dest), weight, headers))
        .orElse(null);
  }

  /** Istio's {@code Headers}: {@code request} and {@code response}, each set/add/remove. */
  private static HeaderOperations readHeaders(YamlObject h) {
    HeaderOperations.Operations request =
        h.object("request")
            .map(VirtualServiceReader::readOperations)
            .orElse(HeaderOperations.Operations.NONE);
    HeaderOperations.Operations response =
        h.object("response")
            .map(VirtualServiceReader::readOperations)
            .orElse(HeaderOperations.Operations.NONE);
    h.finish();
    return new HeaderOperations(request, response);
  }

  private static HeaderOperations.Operations readOperations(YamlObject o) {
    var ops =
        new HeaderOperations.Operations(
            o.stringMap("set"), o.stringMap("add"), o.stringList("remove"));
    o.finish();
    return ops;
  }

  /** Istio's {@code HTTPRewrite}: {@code uri} or {@code uriRegexRewrite}, and {@code authority}. */
  private static Rewrite readRewrite(YamlObject r) {
    Optional<String> uri = r.string("uri");
    Optional<String> authority = r.string("authority");
    Optional<Rewrite.RegexRewrite> regex =
        r.object("uriRegexRewrite")
            .map(
                x -> {
                  String match = x.requiredString("match");
                  String rewrite = x.string("rewrite", "");
                  try {
                    com.google.re2j.Pattern.compile(match);
                  } catch (com.google.re2j.PatternSyntaxException e) {
                    x.error("match", "not a valid RE2 regular expression: " + e.getDescription());
                  }
                  x.finish();
                  return new Rewrite.RegexRewrite(match, rewrite);
                });
    if (uri.isPresent() && regex.isPresent()) {
      r.error("uriRegexRewrite", "set only one of 'uri' and 'uriRegexRewrite'");
    }
    r.finish();
    return new Rewrite(uri, authority, regex);
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
