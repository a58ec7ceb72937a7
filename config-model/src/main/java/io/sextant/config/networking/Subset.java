package io.sextant.config.networking;

import java.util.Map;
import java.util.Objects;

/** A named group of a service's endpoints: those carrying all of {@code labels}. */
public record Subset(String name, Map<String, String> labels) {
  public Subset {
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
  }
}
