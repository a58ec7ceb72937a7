package io.sextant.config;

import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.Sidecar.EgressHost;
import io.sextant.config.networking.Sidecar.OutboundTrafficPolicy;
import io.sextant.config.yaml.Problems;
import io.sextant.config.yaml.YamlObject;
import io.sextant.config.yaml.YamlObject.StringItem;
import io.sextant.model.Hostnames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Reads and validates the spec of a Sidecar. */
final class SidecarReader {
  private static final String PER_PORT =
      "per-port egress listeners are not supported by Sextant yet";

  private SidecarReader() {}

  static Sidecar read(ResourceMeta meta, YamlObject spec) {
    Map<String, String> selector =
        spec.object("workloadSelector").map(SidecarReader::readSelector).orElse(Map.of());
    Optional<List<EgressHost>> egress = readEgress(meta, spec);
    Optional<OutboundTrafficPolicy> outbound =
        spec.object("outboundTrafficPolicy").map(SidecarReader::readOutbound);
    spec.unsupported("ingress", "inboundConnectionPool");
    spec.finish();
    return new Sidecar(meta, selector, egress, outbound);
  }

  private static Map<String, String> readSelector(YamlObject s) {
    Map<String, String> labels = s.stringMap("labels");
    if (labels.isEmpty()) {
      s.error("labels", "at least one label is required to select workloads");
    }
    s.finish();
    return labels;
  }

  /**
   * The hosts of the one egress entry Sextant supports; empty for no (or an empty) egress list,
   * which Istio reads as importing every service.
   */
  private static Optional<List<EgressHost>> readEgress(ResourceMeta meta, YamlObject spec) {
    List<YamlObject> entries = spec.list("egress", e -> e);
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    for (YamlObject extra : entries.subList(1, entries.size())) {
      spec.problems()
          .add(
              extra.location(),
              extra.path(),
              PER_PORT + "; list every host in the first egress entry");
    }
    YamlObject first = entries.get(0);
    Problems problems = first.problems();
    List<StringItem> items = first.stringItems("hosts");
    if (!first.has("hosts")) {
      first.error("hosts", "missing required field 'hosts'");
    } else if (items.isEmpty()) {
      first.error("hosts", "at least one host is required, such as './*' or 'istio-system/*'");
    }
    for (String key : List.of("port", "bind", "captureMode")) {
      if (first.has(key)) {
        first.error(key, PER_PORT + "; remove '" + key + "' and list the hosts only");
      }
    }
    List<EgressHost> hosts = new ArrayList<>();
    for (StringItem item : items) {
      readHost(meta.namespace(), item.value(), m -> problems.add(item.location(), item.path(), m))
          .ifPresent(hosts::add);
    }
    first.finish();
    return Optional.of(hosts);
  }

  /**
   * {@code NAMESPACE/HOST} as Istio writes it, with {@code .} replaced by {@code ownNamespace}; or
   * empty after reporting why not.
   */
  private static Optional<EgressHost> readHost(
      String ownNamespace, String written, Consumer<String> error) {
    int slash = written.indexOf('/');
    if (slash < 0) {
      error.accept(
          "host must be of form namespace/dnsName, got '"
              + written
              + "'; for example './"
              + written
              + "' for the Sidecar's own namespace or '*/"
              + written
              + "' for any namespace");
      return Optional.empty();
    }
    String namespace = written.substring(0, slash);
    String host = written.substring(slash + 1);
    boolean valid = true;
    if (!List.of(EgressHost.ANY_NAMESPACE, ".", EgressHost.NO_NAMESPACE).contains(namespace)
        && !Hostnames.isNamespace(namespace)) {
      error.accept(
          "expected a namespace name, '*', '.' or '~' before the '/' in '" + written + "'");
      valid = false;
    }
    if (Hostnames.isValid(host) && !host.contains(".")) {
      String example =
          host
              + "."
              + (namespace.equals(".")
                  ? ownNamespace
                  : Hostnames.isNamespace(namespace) ? namespace : "NAMESPACE")
              + ".svc.cluster.local";
      error.accept(
          "'"
              + host
              + "' is a short name; Istio matches Sidecar hosts literally, so it would never match"
              + " a service: write the fully qualified name, e.g. '"
              + namespace
              + "/"
              + example
              + "'");
      valid = false;
    } else if (!Hostnames.isValid(host) && !Hostnames.isWildcard(host)) {
      error.accept(
          "expected '*', '*.SUFFIX' or a fully qualified hostname after the '/' in '"
              + written
              + "'");
      valid = false;
    }
    if (!valid) {
      return Optional.empty();
    }
    return Optional.of(new EgressHost(namespace.equals(".") ? ownNamespace : namespace, host));
  }

  private static OutboundTrafficPolicy readOutbound(YamlObject o) {
    // Istio's enum default: an outboundTrafficPolicy without a mode is REGISTRY_ONLY.
    OutboundTrafficPolicy mode =
        o.enumValue("mode", OutboundTrafficPolicy.class)
            .orElse(OutboundTrafficPolicy.REGISTRY_ONLY);
    o.unsupported("egressProxy");
    o.finish();
    return mode;
  }
}
