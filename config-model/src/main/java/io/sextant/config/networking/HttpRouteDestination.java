package io.sextant.config.networking;

import java.util.Objects;

/**
 * A destination with its share of traffic.
 *
 * @param destination where to send requests
 * @param weight relative weight; 0 when unset
 */
public record HttpRouteDestination(Destination destination, int weight) {
  public HttpRouteDestination {
    Objects.requireNonNull(destination, "destination");
  }
}
