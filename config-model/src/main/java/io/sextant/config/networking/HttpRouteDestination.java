package io.sextant.config.networking;

import java.util.Objects;

/**
 * A destination with its share of traffic.
 *
 * @param destination where to send requests
 * @param weight relative weight; 0 when unset
 * @param headers header operations for requests sent to this destination
 */
public record HttpRouteDestination(Destination destination, int weight, HeaderOperations headers) {
  public HttpRouteDestination {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(headers, "headers");
  }

  public HttpRouteDestination(Destination destination, int weight) {
    this(destination, weight, HeaderOperations.NONE);
  }
}
