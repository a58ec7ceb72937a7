package io.sextant.translator;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The four xDS resource types served to one proxy group, each list sorted by resource name so equal
 * inputs give byte-identical output.
 */
public record XdsResources(
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints) {

  public XdsResources {
    listeners = sorted(listeners, Listener::getName);
    routes = sorted(routes, RouteConfiguration::getName);
    clusters = sorted(clusters, Cluster::getName);
    endpoints = sorted(endpoints, ClusterLoadAssignment::getClusterName);
  }

  /** The same resources with the endpoints replaced (the endpoint-only fast path). */
  public XdsResources withEndpoints(List<ClusterLoadAssignment> newEndpoints) {
    return new XdsResources(listeners, routes, clusters, newEndpoints);
  }

  private static <T extends Message> List<T> sorted(List<T> items, Function<T, String> name) {
    return items.stream().sorted(Comparator.comparing(name)).toList();
  }
}
