package io.sextant.translator;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What the consistency check needs to know about a list of resources: the names it defines, the
 * names it refers to (and where from), the listener addresses it binds, and the problems visible
 * inside it alone.
 */
record ConsistencyFacts(
    Set<String> names,
    Map<String, String> clusterRefs,
    Map<String, String> routeConfigRefs,
    Map<String, String> assignmentRefs,
    Map<String, String> addresses,
    List<String> internal) {

  /**
   * The facts of {@code resources}, taking each route configuration's from {@code routeFacts} (for
   * example {@link #ofRoutes}): a caller that keeps them can reuse those of the route
   * configurations a rule change did not rebuild (they are the same objects), and pays only for the
   * ones it did.
   */
  static ConsistencyFacts of(
      List<? extends Message> resources,
      Function<RouteConfiguration, ConsistencyFacts> routeFacts) {
    Set<String> names = new HashSet<>();
    Map<String, String> clusterRefs = new LinkedHashMap<>();
    Map<String, String> rdsRefs = new LinkedHashMap<>();
    Map<String, String> edsRefs = new LinkedHashMap<>();
    Map<String, String> addresses = new LinkedHashMap<>();
    List<String> internal = new ArrayList<>();
    for (Message m : resources) {
      String name = Names.of(m);
      if (!names.add(name)) {
        internal.add(type(m) + " " + name + " appears twice");
      }
      if (m instanceof Cluster c && c.getType() == Cluster.DiscoveryType.EDS) {
        String service = c.getEdsClusterConfig().getServiceName();
        edsRefs.putIfAbsent(
            service.isEmpty() ? c.getName() : service, "EDS cluster " + c.getName());
      } else if (m instanceof RouteConfiguration rc) {
        ConsistencyFacts own = routeFacts.apply(rc);
        own.clusterRefs().forEach(clusterRefs::putIfAbsent);
        internal.addAll(own.internal());
      } else if (m instanceof Listener l) {
        listener(l, clusterRefs, rdsRefs, addresses, internal);
      }
    }
    return new ConsistencyFacts(names, clusterRefs, rdsRefs, edsRefs, addresses, internal);
  }

  /** The facts of one route configuration alone. */
  static ConsistencyFacts ofRoutes(RouteConfiguration rc) {
    Map<String, String> clusterRefs = new LinkedHashMap<>();
    List<String> internal = new ArrayList<>();
    routes("route configuration " + rc.getName(), rc, clusterRefs, internal);
    return new ConsistencyFacts(
        Set.of(rc.getName()), clusterRefs, Map.of(), Map.of(), Map.of(), List.copyOf(internal));
  }

  private static void listener(
      Listener l,
      Map<String, String> clusterRefs,
      Map<String, String> rdsRefs,
      Map<String, String> addresses,
      List<String> internal) {
    if (l.hasAddress()) {
      SocketAddress a = l.getAddress().getSocketAddress();
      String key = a.getAddress() + ":" + a.getPortValue();
      String previous = addresses.putIfAbsent(key, l.getName());
      if (previous != null) {
        internal.add("listener " + l.getName() + " reuses address " + key);
      }
    }
    if (l.hasApiListener()) {
      unpack(l.getApiListener().getApiListener(), HttpConnectionManager.class)
          .ifPresent(
              h -> connectionManager("listener " + l.getName(), h, clusterRefs, rdsRefs, internal));
    }
    for (FilterChain chain : l.getFilterChainsList()) {
      for (Filter f : chain.getFiltersList()) {
        String at = "listener " + l.getName() + " chain " + chain.getName();
        unpack(f.getTypedConfig(), HttpConnectionManager.class)
            .ifPresent(h -> connectionManager(at, h, clusterRefs, rdsRefs, internal));
        unpack(f.getTypedConfig(), TcpProxy.class)
            .ifPresent(
                t -> {
                  if (t.hasWeightedClusters()) {
                    t.getWeightedClusters()
                        .getClustersList()
                        .forEach(
                            c -> clusterRefs.putIfAbsent(c.getName(), at + " proxies TCP to a"));
                  } else {
                    clusterRefs.putIfAbsent(t.getCluster(), at + " proxies TCP to a");
                  }
                });
      }
    }
  }

  private static void connectionManager(
      String at,
      HttpConnectionManager hcm,
      Map<String, String> clusterRefs,
      Map<String, String> rdsRefs,
      List<String> internal) {
    if (hcm.hasRds()) {
      rdsRefs.putIfAbsent(hcm.getRds().getRouteConfigName(), at + " asks for a");
    }
    if (hcm.hasRouteConfig()) {
      routes(at + " inline routes", hcm.getRouteConfig(), clusterRefs, internal);
    }
  }

  private static void routes(
      String at, RouteConfiguration rc, Map<String, String> clusterRefs, List<String> internal) {
    Set<String> domains = new HashSet<>();
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (String d : vh.getDomainsList()) {
        if (!domains.add(d)) {
          internal.add(at + " lists domain " + d + " twice (virtual host " + vh.getName() + ")");
        }
      }
      for (Route route : vh.getRoutesList()) {
        if (!route.hasRoute()) {
          continue;
        }
        // Where the reference is made is spelled out only for a cluster's first reference.
        Function<String, String> from = c -> at + " virtual host " + vh.getName() + " routes to a";
        if (!route.getRoute().getCluster().isEmpty()) {
          clusterRefs.computeIfAbsent(route.getRoute().getCluster(), from);
        }
        for (WeightedCluster.ClusterWeight w :
            route.getRoute().getWeightedClusters().getClustersList()) {
          clusterRefs.computeIfAbsent(w.getName(), from);
        }
      }
    }
  }

  private static String type(Message m) {
    if (m instanceof Cluster) {
      return "cluster";
    }
    if (m instanceof RouteConfiguration) {
      return "route configuration";
    }
    if (m instanceof Listener) {
      return "listener";
    }
    return "assignment";
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
