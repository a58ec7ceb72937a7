package io.sextant.server.testing;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads what an xDS response carries, in the terms a test asserts on. */
public final class Unpacked {
  private Unpacked() {}

  public static <T extends Message> List<T> resources(DiscoveryResponse r, Class<T> type) {
    return r.getResourcesList().stream().map(any -> unpack(any, type)).toList();
  }

  public static <T extends Message> List<T> resources(DeltaDiscoveryResponse r, Class<T> type) {
    return r.getResourcesList().stream().map(res -> unpack(res.getResource(), type)).toList();
  }

  /** The names of the resources in {@code r}, in response order. */
  public static List<String> names(DiscoveryResponse r) {
    return switch (r.getTypeUrl().substring(r.getTypeUrl().lastIndexOf('.') + 1)) {
      case "Listener" -> resources(r, Listener.class).stream().map(Listener::getName).toList();
      case "RouteConfiguration" ->
          resources(r, RouteConfiguration.class).stream().map(RouteConfiguration::getName).toList();
      case "Cluster" -> resources(r, Cluster.class).stream().map(Cluster::getName).toList();
      case "ClusterLoadAssignment" ->
          resources(r, ClusterLoadAssignment.class).stream()
              .map(ClusterLoadAssignment::getClusterName)
              .toList();
      default ->
          throw new IllegalArgumentException("not an xDS type Sextant serves: " + r.getTypeUrl());
    };
  }

  public static List<String> names(DeltaDiscoveryResponse r) {
    return r.getResourcesList().stream().map(Resource::getName).toList();
  }

  /** The EDS clusters among {@code clusters}: the names a proxy then asks EDS for. */
  public static List<String> edsClusterNames(DiscoveryResponse clusters) {
    return resources(clusters, Cluster.class).stream()
        .filter(c -> c.getType() == Cluster.DiscoveryType.EDS)
        .map(Cluster::getName)
        .toList();
  }

  /** The route configurations the listeners' HTTP connection managers ask RDS for. */
  public static List<String> rdsNames(DiscoveryResponse listeners) {
    List<HttpConnectionManager> managers = new ArrayList<>();
    for (Listener l : resources(listeners, Listener.class)) {
      if (l.hasApiListener()) {
        managers.add(unpack(l.getApiListener().getApiListener(), HttpConnectionManager.class));
      }
      l.getFilterChainsList().stream()
          .map(FilterChain::getFiltersList)
          .flatMap(List::stream)
          .map(Filter::getTypedConfig)
          .filter(any -> any.is(HttpConnectionManager.class))
          .forEach(any -> managers.add(unpack(any, HttpConnectionManager.class)));
    }
    return managers.stream()
        .filter(HttpConnectionManager::hasRds)
        .map(m -> m.getRds().getRouteConfigName())
        .distinct()
        .sorted()
        .toList();
  }

  /** {@code ADDRESS:PORT} of every endpoint in {@code assignment}. */
  public static List<String> endpoints(ClusterLoadAssignment assignment) {
    return assignment.getEndpointsList().stream()
        .map(LocalityLbEndpoints::getLbEndpointsList)
        .flatMap(List::stream)
        .map(LbEndpoint::getEndpoint)
        .map(e -> e.getAddress().getSocketAddress())
        .map(a -> a.getAddress() + ":" + a.getPortValue())
        .toList();
  }

  /** The endpoints of cluster {@code name} in an EDS response. */
  public static List<String> endpoints(DiscoveryResponse r, String name) {
    return resources(r, ClusterLoadAssignment.class).stream()
        .filter(a -> a.getClusterName().equals(name))
        .flatMap(a -> endpoints(a).stream())
        .toList();
  }

  /** Every virtual host of every route configuration in an RDS response. */
  public static Stream<VirtualHost> virtualHosts(DiscoveryResponse routes) {
    return resources(routes, RouteConfiguration.class).stream()
        .flatMap(rc -> rc.getVirtualHostsList().stream());
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("cannot unpack " + any.getTypeUrl() + " as " + type.getName(), e);
    }
  }
}
