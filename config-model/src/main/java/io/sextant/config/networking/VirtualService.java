package io.sextant.config.networking;

import io.sextant.config.ConfigResource;
import io.sextant.config.ResourceMeta;
import java.util.List;
import java.util.Objects;

/**
 * Istio's {@code VirtualService}: how requests for some hosts are routed.
 *
 * @param hosts the hosts these rules apply to, as written (short names allowed)
 * @param http ordered HTTP routes; the first match wins
 * @param tcp ordered TCP routes for the hosts' TCP ports; the first that applies wins
 * @param exportTo the namespaces whose proxies see these rules: names, {@code .} for the rule's own
 *     namespace, {@code *} for all; empty means all (Istio's default)
 */
public record VirtualService(
    ResourceMeta meta,
    List<String> hosts,
    List<HttpRoute> http,
    List<TcpRoute> tcp,
    List<String> exportTo)
    implements ConfigResource {
  public VirtualService {
    Objects.requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    http = List.copyOf(http);
    tcp = List.copyOf(tcp);
    exportTo = List.copyOf(exportTo);
  }

  /** A VirtualService with HTTP routes only, seen by every namespace. */
  public VirtualService(ResourceMeta meta, List<String> hosts, List<HttpRoute> http) {
    this(meta, hosts, http, List.of(), List.of());
  }

  /** Whether proxies in {@code namespace} see these rules. */
  public boolean visibleTo(String namespace) {
    return exportTo.isEmpty()
        || exportTo.contains("*")
        || exportTo.contains(namespace)
        || (exportTo.contains(".") && meta.namespace().equals(namespace));
  }

  /**
   * Whether some HTTP route matches on the calling workload (its labels or namespace), so that
   * proxies see different routes for the same hosts.
   */
  public boolean selectsSource() {
    for (HttpRoute route : http) {
      for (HttpMatchRequest match : route.match()) {
        if (match.selectsSource()) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether every namespace sees these rules. */
  public boolean visibleToAll() {
    return exportTo.isEmpty() || exportTo.contains("*");
  }
}
