package io.sextant.translator;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.List;

/** The layers one proxy's configuration is made of, per xDS type. */
public record ProxyLayers(
    List<Layer> listeners, List<Layer> routes, List<Layer> clusters, List<Layer> endpoints) {

  public ProxyLayers {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
  }

  /** Every layer, type by type: listeners, routes, clusters, endpoints. */
  public List<List<Layer>> byType() {
    return List.of(listeners, routes, clusters, endpoints);
  }

  /** All layers' resources together, as one proxy receives them. */
  @SuppressWarnings("unchecked")
  public XdsResources flatten() {
    return new XdsResources(
        (List<Listener>) concat(listeners),
        (List<RouteConfiguration>) concat(routes),
        (List<Cluster>) concat(clusters),
        (List<ClusterLoadAssignment>) concat(endpoints));
  }

  private static List<?> concat(List<Layer> layers) {
    List<Object> all = new ArrayList<>();
    layers.forEach(l -> all.addAll(l.resources()));
    return all;
  }
}
