package io.sextant.config.networking;

import java.util.Map;
import java.util.Objects;

/**
 * A named group of a service's endpoints: those carrying all of {@code labels}, with a traffic
 * policy that overrides the host's where it sets something.
 */
public record Subset(String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {
  public Subset {
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(trafficPolicy, "trafficPolicy");
  }

  public Subset(String name, Map<String, String> labels) {
    this(name, labels, TrafficPolicy.NONE);
  }
}
