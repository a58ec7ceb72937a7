package io.sextant.translator;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The checks run on every snapshot before it is published. A violation is a bug in Sextant, not in
 * the user's input: the caller logs it and keeps serving the previous snapshot.
 *
 * <ul>
 *   <li>resource names are unique within each type;
 *   <li>every cluster a route or TCP proxy names exists;
 *   <li>every route configuration a listener asks for over RDS exists;
 *   <li>every EDS cluster has an assignment (which may be empty);
 *   <li>virtual host domains are unique within a route configuration;
 *   <li>listener socket addresses are unique.
 * </ul>
 */
public final class SnapshotConsistency {
  private SnapshotConsistency() {}

  /** Every violation found, each naming the offending resources; empty when consistent. */
  public static List<String> check(XdsResources r) {
    List<String> violations = new ArrayList<>();
    Set<String> clusters = unique("cluster", r.clusters(), Cluster::getName, violations);
    Set<String> assignments =
        unique("assignment", r.endpoints(), ClusterLoadAssignment::getClusterName, violations);
    Set<String> routeNames =
        unique("route configuration", r.routes(), RouteConfiguration::getName, violations);
    unique("listener", r.listeners(), Listener::getName, violations);

    for (Cluster c : r.clusters()) {
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        String service =
            c.getEdsClusterConfig().getServiceName().isEmpty()
                ? c.getName()
                : c.getEdsClusterConfig().getServiceName();
        if (!assignments.contains(service)) {
          violations.add("EDS cluster " + c.getName() + " has no assignment " + service);
        }
      }
    }
    for (RouteConfiguration rc : r.routes()) {
      checkRoutes("route configuration " + rc.getName(), rc, clusters, violations);
    }
    Set<String> addresses = new HashSet<>();
    for (Listener l : r.listeners()) {
      if (l.hasAddress()) {
        SocketAddress a = l.getAddress().getSocketAddress();
        String key = a.getAddress() + ":" + a.getPortValue();
        if (!addresses.add(key)) {
          violations.add("listener " + l.getName() + " reuses address " + key);
        }
      }
      if (l.hasApiListener()) {
        unpack(l.getApiListener().getApiListener(), HttpConnectionManager.class)
            .ifPresent(
                h -> checkConnectionManager(l.getName(), h, routeNames, clusters, violations));
      }
      for (FilterChain chain : l.getFilterChainsList()) {
        for (Filter f : chain.getFiltersList()) {
          String at = "listener " + l.getName() + " chain " + chain.getName();
          unpack(f.getTypedConfig(), HttpConnectionManager.class)
              .ifPresent(h -> checkConnectionManager(at, h, routeNames, clusters, violations));
          unpack(f.getTypedConfig(), TcpProxy.class)
              .ifPresent(
                  t -> {
                    if (!clusters.contains(t.getCluster())) {
                      violations.add(at + " proxies TCP to missing cluster " + t.getCluster());
                    }
                  });
        }
      }
    }
    return violations;
  }

  private static void checkConnectionManager(
      String at,
      HttpConnectionManager hcm,
      Set<String> routeNames,
      Set<String> clusters,
      List<String> violations) {
    if (hcm.hasRds() && !routeNames.contains(hcm.getRds().getRouteConfigName())) {
      violations.add(
          at + " asks for missing route configuration " + hcm.getRds().getRouteConfigName());
    }
    if (hcm.hasRouteConfig()) {
      checkRoutes(at + " inline routes", hcm.getRouteConfig(), clusters, violations);
    }
  }

  private static void checkRoutes(
      String at, RouteConfiguration rc, Set<String> clusters, List<String> violations) {
    Set<String> domains = new HashSet<>();
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (String d : vh.getDomainsList()) {
        if (!domains.add(d)) {
          violations.add(at + " lists domain " + d + " twice (virtual host " + vh.getName() + ")");
        }
      }
      for (Route route : vh.getRoutesList()) {
        if (!route.hasRoute()) {
          continue;
        }
        List<String> targets = new ArrayList<>();
        if (!route.getRoute().getCluster().isEmpty()) {
          targets.add(route.getRoute().getCluster());
        }
        for (WeightedCluster.ClusterWeight w :
            route.getRoute().getWeightedClusters().getClustersList()) {
          targets.add(w.getName());
        }
        for (String target : targets) {
          if (!clusters.contains(target)) {
            violations.add(
                at + " virtual host " + vh.getName() + " routes to missing cluster " + target);
          }
        }
      }
    }
  }

  private static <T extends Message> Set<String> unique(
      String type, List<T> items, Function<T, String> name, List<String> violations) {
    Set<String> names = new HashSet<>();
    for (T item : items) {
      if (!names.add(name.apply(item))) {
        violations.add(type + " " + name.apply(item) + " appears twice");
      }
    }
    return names;
  }

  private static <T extends Message> Optional<T> unpack(Any any, Class<T> type) {
    if (!any.is(type)) {
      return Optional.empty();
    }
    try {
      return Optional.of(any.unpack(type));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }
}
