package io.sextant.config.networking;

import io.sextant.config.ConfigResource;
import io.sextant.config.ResourceMeta;
import io.sextant.model.Hostnames;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Istio's {@code Sidecar}: which services the selected sidecars can reach (and therefore receive
 * configuration for), and what happens to traffic for hosts the mesh does not know.
 *
 * @param workloadSelector the labels a workload must carry for this Sidecar to apply to it; empty
 *     means every workload of the namespace (or, in the root namespace, of the mesh)
 * @param egressHosts the {@code egress[0].hosts} entries; empty when there is no {@code egress}
 *     section, which imports every service
 * @param outboundTrafficPolicy {@code outboundTrafficPolicy.mode}; empty means the mesh's (allow
 *     any)
 */
public record Sidecar(
    ResourceMeta meta,
    Map<String, String> workloadSelector,
    Optional<List<EgressHost>> egressHosts,
    Optional<OutboundTrafficPolicy> outboundTrafficPolicy)
    implements ConfigResource {

  public Sidecar {
    Objects.requireNonNull(meta, "meta");
    workloadSelector = Map.copyOf(workloadSelector);
    egressHosts = egressHosts.map(List::copyOf);
    Objects.requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
  }

  /** Whether this Sidecar applies to a workload labelled {@code labels} (namespace aside). */
  public boolean selects(Map<String, String> labels) {
    return workloadSelector.entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** Whether a service of {@code namespace} named {@code hostname} is imported. */
  public boolean imports(String namespace, String hostname) {
    return egressHosts
        .map(hosts -> hosts.stream().anyMatch(h -> h.imports(namespace, hostname)))
        .orElse(true);
  }

  /** What an outbound request for an unknown host gets. */
  public enum OutboundTrafficPolicy {
    /** Passed through to its original destination. */
    ALLOW_ANY,
    /** Refused: a TCP connection is closed, an HTTP request gets 502. */
    REGISTRY_ONLY
  }

  /**
   * One {@code NAMESPACE/HOST} entry of {@code egress.hosts}.
   *
   * @param namespace a namespace name, {@code *} for any, or {@code ~} for none (the {@code .} of
   *     the written form is already replaced by the Sidecar's namespace)
   * @param host a fully qualified hostname, {@code *}, or {@code *.SUFFIX}
   */
  public record EgressHost(String namespace, String host) {
    public static final String ANY_NAMESPACE = "*";
    public static final String NO_NAMESPACE = "~";

    public EgressHost {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(host, "host");
    }

    /** Whether a service of {@code serviceNamespace} named {@code hostname} matches. */
    public boolean imports(String serviceNamespace, String hostname) {
      if (namespace.equals(NO_NAMESPACE)) {
        return false;
      }
      if (!namespace.equals(ANY_NAMESPACE) && !namespace.equals(serviceNamespace)) {
        return false;
      }
      return Hostnames.matches(host, hostname);
    }

    @Override
    public String toString() {
      return namespace + "/" + host;
    }
  }
}
