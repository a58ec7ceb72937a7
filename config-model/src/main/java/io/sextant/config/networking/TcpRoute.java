package io.sextant.config.networking;

import io.sextant.config.SourceLocation;
import java.util.List;
import java.util.Objects;

/**
 * One TCP route of a VirtualService (Istio's {@code TCPRoute}): connections to the host's TCP ports
 * go to the first route whose match applies.
 *
 * @param ports the service ports the route applies to; empty for every port
 * @param route weighted destinations
 * @param location where in the file the route was written
 */
public record TcpRoute(List<Integer> ports, List<RouteDestination> route, SourceLocation location) {
  public TcpRoute {
    ports = List.copyOf(ports);
    route = List.copyOf(route);
    Objects.requireNonNull(location, "location");
  }

  /** Whether connections to {@code port} take this route. */
  public boolean appliesTo(int port) {
    return ports.isEmpty() || ports.contains(port);
  }
}
