package io.sextant.config.networking;

import io.sextant.config.SourceLocation;
import java.util.List;
import java.util.Objects;

/**
 * One HTTP route of a VirtualService.
 *
 * @param name optional name, copied to the Envoy route
 * @param match alternatives, any of which selects this route; empty matches everything
 * @param route weighted destinations
 * @param location where in the file the route was written
 */
public record HttpRoute(
    String name,
    List<HttpMatchRequest> match,
    List<HttpRouteDestination> route,
    SourceLocation location) {
  public HttpRoute {
    Objects.requireNonNull(name, "name");
    match = List.copyOf(match);
    route = List.copyOf(route);
    Objects.requireNonNull(location, "location");
  }
}
