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
 */
public record VirtualService(
    ResourceMeta meta, List<String> hosts, List<HttpRoute> http, List<TcpRoute> tcp)
    implements ConfigResource {
  public VirtualService {
    Objects.requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    http = List.copyOf(http);
    tcp = List.copyOf(tcp);
  }

  /** A VirtualService with HTTP routes only. */
  public VirtualService(ResourceMeta meta, List<String> hosts, List<HttpRoute> http) {
    this(meta, hosts, http, List.of());
  }
}
