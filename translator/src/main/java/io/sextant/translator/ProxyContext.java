package io.sextant.translator;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.model.Locality;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who is asking for configuration: everything the translator needs to know about one proxy.
 *
 * @param id {@code node.id}, unique per proxy
 * @param kind sidecar or proxyless gRPC
 * @param serviceName {@code node.cluster}: the workload's service, short name or hostname
 * @param namespace the workload's namespace
 * @param labels the workload's labels
 * @param instanceIps the workload's IP addresses
 * @param interception how traffic reaches the sidecar
 * @param locality {@code node.locality}: where the proxy runs, for locality load balancing
 */
public record ProxyContext(
    String id,
    ProxyKind kind,
    String serviceName,
    String namespace,
    Map<String, String> labels,
    List<String> instanceIps,
    InterceptionMode interception,
    Locality locality) {

  /** Metadata defaults when a proxy does not send them (documented in docs/proxies.md). */
  public static final String DEFAULT_NAMESPACE = "default";

  public static final InterceptionMode DEFAULT_INTERCEPTION = InterceptionMode.REDIRECT;

  public ProxyContext {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
    instanceIps = List.copyOf(instanceIps);
    Objects.requireNonNull(interception, "interception");
    Objects.requireNonNull(locality, "locality");
  }

  /** A proxy whose locality is unknown. */
  public ProxyContext(
      String id,
      ProxyKind kind,
      String serviceName,
      String namespace,
      Map<String, String> labels,
      List<String> instanceIps,
      InterceptionMode interception) {
    this(id, kind, serviceName, namespace, labels, instanceIps, interception, Locality.UNKNOWN);
  }

  /**
   * Reads a proxy from its xDS {@code Node}, with Istio's metadata keys: {@code NAMESPACE}, {@code
   * LABELS} (a struct), {@code INSTANCE_IPS} (comma-separated), {@code INTERCEPTION_MODE} and
   * {@code GENERATOR}. Missing or malformed values fall back to the defaults rather than failing: a
   * proxy always gets some configuration.
   */
  public static ProxyContext fromNode(Node node) {
    Map<String, Value> meta = node.getMetadata().getFieldsMap();
    boolean grpc =
        node.getUserAgentName().startsWith("gRPC")
            || "grpc".equalsIgnoreCase(string(meta, "GENERATOR"));
    String namespace = string(meta, "NAMESPACE");
    Map<String, String> labels = new TreeMap<>();
    Value labelValue = meta.get("LABELS");
    if (labelValue != null && labelValue.hasStructValue()) {
      Struct struct = labelValue.getStructValue();
      struct.getFieldsMap().forEach((k, v) -> labels.put(k, v.getStringValue()));
    }
    // A set: an IP listed twice must not become two listeners on the same address.
    Set<String> ips = new LinkedHashSet<>();
    for (String ip : string(meta, "INSTANCE_IPS").split(",")) {
      if (!ip.isBlank()) {
        ips.add(ip.trim());
      }
    }
    InterceptionMode mode = DEFAULT_INTERCEPTION;
    String modeName = string(meta, "INTERCEPTION_MODE").toUpperCase(Locale.ROOT);
    if (modeName.equals("NONE")) {
      mode = InterceptionMode.NONE;
    }
    return new ProxyContext(
        node.getId(),
        grpc ? ProxyKind.GRPC : ProxyKind.SIDECAR,
        node.getCluster(),
        namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace,
        labels,
        List.copyOf(ips),
        mode,
        new Locality(
            node.getLocality().getRegion(),
            node.getLocality().getZone(),
            node.getLocality().getSubZone()));
  }

  private static String string(Map<String, Value> meta, String key) {
    Value v = meta.get(key);
    return v != null && v.hasStringValue() ? v.getStringValue() : "";
  }

  /**
   * The proxies that receive identical configuration share a group key: it holds exactly the fields
   * the translator reads for this kind of proxy, and never the proxy id.
   */
  public String groupKey() {
    // Labels decide which routes a proxy gets (a VirtualService match's sourceLabels).
    String labelKey = labels.isEmpty() ? "" : "|" + new TreeMap<>(labels);
    // Endpoints may be ranked by locality (DestinationRule localityLbSetting).
    String localityKey = locality.equals(Locality.UNKNOWN) ? "" : "|" + locality;
    if (kind == ProxyKind.GRPC) {
      return "grpc|" + namespace + localityKey + labelKey;
    }
    String key = "sidecar|" + namespace + "|" + serviceName + "|" + interception + localityKey;
    return (interception == InterceptionMode.NONE ? key + "|" + String.join(",", instanceIps) : key)
        + labelKey;
  }
}
