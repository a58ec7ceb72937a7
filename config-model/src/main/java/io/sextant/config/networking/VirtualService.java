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
 */
public record VirtualService(ResourceMeta meta, List<String> hosts, List<HttpRoute> http)
    implements ConfigResource {
  public VirtualService {
    Objects.requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    http = List.copyOf(http);
  }
}
