package io.sextant.translator;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.sextant.config.networking.LoadBalancer;
import io.sextant.config.networking.LoadBalancer.HashKey;
import io.sextant.translator.envoy.HashPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts the hash key of a DestinationRule's consistent hash on the routes that send to its clusters
 * (Envoy hashes on the route, then picks the endpoint in the cluster's ring). A route split over
 * clusters with different keys uses the first destination's key, and says so.
 */
final class RouteHashing {
  private RouteHashing() {}

  /** {@code route} with the hash policy of its destinations' consistent hash, if any. */
  static Route apply(Route route, MeshIndex index, ProxyKind kind, Diagnostics diagnostics) {
    return route.hasRoute() ? withHash(route, index, kind, diagnostics) : route;
  }

  private static Route withHash(
      Route route, MeshIndex index, ProxyKind kind, Diagnostics diagnostics) {
    RouteAction action = route.getRoute();
    List<String> clusters = new ArrayList<>();
    if (action.hasWeightedClusters()) {
      for (WeightedCluster.ClusterWeight w : action.getWeightedClusters().getClustersList()) {
        clusters.add(w.getName());
      }
    } else {
      clusters.add(action.getCluster());
    }
    List<HashKey> keys =
        clusters.stream().map(c -> hashKey(index, c)).flatMap(Optional::stream).distinct().toList();
    if (keys.isEmpty()) {
      return route;
    }
    String subject = "route " + route.getName() + " to " + String.join(", ", clusters);
    if (keys.size() > 1) {
      diagnostics.add(
          ProxyKind.GRPC,
          subject,
          "its destinations hash on different keys; the first destination's is used");
    }
    HashKey key = keys.get(0);
    if (kind == ProxyKind.GRPC && !(key instanceof HashKey.Header)) {
      diagnostics.add(
          ProxyKind.GRPC,
          subject,
          "proxyless gRPC: grpc-java hashes on headers only; "
              + key.getClass().getSimpleName()
              + " left out (each call picks a random point on the ring)");
      return route;
    }
    Route.Builder b = route.toBuilder();
    b.getRouteBuilder().addHashPolicy(HashPolicies.of(key));
    return b.build();
  }

  /** The hash key of the consistent hash that applies to {@code cluster}, if any. */
  private static Optional<HashKey> hashKey(MeshIndex index, String cluster) {
    String[] parts = cluster.split("\\|", -1);
    if (parts.length != 4 || !parts[0].equals("outbound")) {
      return Optional.empty();
    }
    int port;
    try {
      port = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return index
        .destinationRule(parts[3])
        .flatMap(dr -> dr.policyFor(parts[2], port).loadBalancer())
        .flatMap(LoadBalancer::consistentHash)
        .map(LoadBalancer.ConsistentHash::key);
  }
}
