package io.sextant.config.networking;

import java.util.Objects;

/**
 * Istio's {@code RouteDestination}, as TCP routes use it: a destination and its share of the
 * connections.
 *
 * @param destination where connections go
 * @param weight relative weight; 0 when unset
 */
public record RouteDestination(Destination destination, int weight) {
  public RouteDestination {
    Objects.requireNonNull(destination, "destination");
  }
}
