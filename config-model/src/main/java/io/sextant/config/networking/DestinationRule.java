package io.sextant.config.networking;

import io.sextant.config.ConfigResource;
import io.sextant.config.ResourceMeta;
import java.util.List;
import java.util.Objects;

/**
 * Istio's {@code DestinationRule}: policy for traffic to one host.
 *
 * @param host the host it applies to, as written
 * @param subsets named groups of endpoints selected by labels
 * @param trafficPolicy the policy for the whole host; subsets may override parts of it
 */
public record DestinationRule(
    ResourceMeta meta, String host, List<Subset> subsets, TrafficPolicy trafficPolicy)
    implements ConfigResource {
  public DestinationRule {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(host, "host");
    subsets = List.copyOf(subsets);
    Objects.requireNonNull(trafficPolicy, "trafficPolicy");
  }

  public DestinationRule(ResourceMeta meta, String host, List<Subset> subsets) {
    this(meta, host, subsets, TrafficPolicy.NONE);
  }

  /**
   * The policy for the cluster of {@code subset} (empty for the whole host) on {@code port}, by
   * Istio's precedence: the host's policy with its port-level setting for {@code port}, each
   * sub-policy the subset sets replacing it, and finally the subset's own port-level setting.
   */
  public TrafficPolicy policyFor(String subset, int port) {
    TrafficPolicy host = trafficPolicy.forPort(port);
    if (subset.isEmpty()) {
      return host;
    }
    for (Subset s : subsets) {
      if (s.name().equals(subset)) {
        return host.overriddenBy(s.trafficPolicy()).forPort(port);
      }
    }
    return host;
  }
}
