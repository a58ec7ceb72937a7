package io.sextant.config.networking;

import io.sextant.config.ConfigResource;
import io.sextant.config.ResourceMeta;
import java.util.List;
import java.util.Objects;

/**
 * Istio's {@code DestinationRule}: policy for traffic to one host. This slice carries subsets.
 *
 * @param host the host it applies to, as written
 * @param subsets named groups of endpoints selected by labels
 */
public record DestinationRule(ResourceMeta meta, String host, List<Subset> subsets)
    implements ConfigResource {
  public DestinationRule {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(host, "host");
    subsets = List.copyOf(subsets);
  }
}
