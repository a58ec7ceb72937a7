package io.sextant.translator;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.sextant.config.networking.Destination;
import io.sextant.config.networking.RouteDestination;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.TcpRoute;
import io.sextant.config.networking.VirtualService;
import io.sextant.model.MeshService;
import io.sextant.translator.envoy.Listeners;
import io.sextant.translator.envoy.Names;
import io.sextant.translator.envoy.Routes.WeightedDestination;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where connections to a TCP service port go: the first TCP route of the host's VirtualService that
 * applies to the port, split by weight; without one, the service's own cluster.
 */
final class TcpRoutes {
  private TcpRoutes() {}

  /**
   * The TCP proxy filter for connections to {@code service} on {@code port} from proxies in {@code
   * namespace}.
   */
  static Filter proxy(
      MeshIndex index, MeshService service, int port, String namespace, Diagnostics diagnostics) {
    String own = Names.outboundCluster(port, service.hostname());
    for (VirtualService vs : index.virtualServices(service.hostname(), namespace)) {
      for (TcpRoute route : vs.tcp()) {
        if (!route.appliesTo(port)) {
          continue;
        }
        List<WeightedDestination> to = destinations(index, vs, route, port, diagnostics);
        if (!to.isEmpty()) {
          return Listeners.tcpProxy(own, to);
        }
        diagnostics.add(
            vs.meta(),
            "TCP route at " + route.location() + " has no destination that exists; left out");
      }
    }
    return Listeners.tcpProxy(own, own);
  }

  private static List<WeightedDestination> destinations(
      MeshIndex index, VirtualService vs, TcpRoute route, int port, Diagnostics diagnostics) {
    boolean weighted = route.route().size() > 1;
    List<WeightedDestination> result = new ArrayList<>();
    for (RouteDestination d : route.route()) {
      if (weighted && d.weight() == 0) {
        continue;
      }
      cluster(index, vs, d.destination(), port)
          .ifPresentOrElse(
              c -> result.add(new WeightedDestination(c, weighted ? d.weight() : 1)),
              () ->
                  diagnostics.add(
                      vs.meta(),
                      "TCP route at "
                          + route.location()
                          + ": destination "
                          + d.destination().host()
                          + (d.destination().subset().isEmpty()
                              ? ""
                              : " subset " + d.destination().subset())
                          + " is not a known service, port or subset; left out"));
    }
    return result;
  }

  /** The cluster of a destination, if the service, port and subset exist. */
  private static Optional<String> cluster(
      MeshIndex index, VirtualService vs, Destination dest, int routePort) {
    String host = index.qualify(dest.host(), vs.meta().namespace());
    Optional<MeshService> service = index.service(host);
    if (service.isEmpty()) {
      return Optional.empty();
    }
    var ports = service.get().service().ports();
    int port =
        dest.port() != 0 ? dest.port() : ports.size() == 1 ? ports.get(0).number() : routePort;
    if (service.get().service().port(port).isEmpty()) {
      return Optional.empty();
    }
    if (!dest.subset().isEmpty()
        && index.subsets(host).stream().map(Subset::name).noneMatch(dest.subset()::equals)) {
      return Optional.empty();
    }
    return Optional.of(Names.outboundCluster(port, dest.subset(), host));
  }
}
