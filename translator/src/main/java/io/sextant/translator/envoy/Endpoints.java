package io.sextant.translator.envoy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.sextant.model.Endpoint;
import io.sextant.model.Locality;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds ClusterLoadAssignments: healthy endpoints grouped by locality, weights set. */
public final class Endpoints {
  /** Appended to the sub-zone of a locality that a higher priority already uses. */
  public static final String PRIORITY_SUBZONE = "~priority-";

  private Endpoints() {}

  /**
   * The assignment for {@code clusterName}: only endpoints that receive traffic, one {@code
   * LocalityLbEndpoints} per priority and locality, in that order, each with a {@code
   * load_balancing_weight} equal to the sum of its endpoints' weights. (grpc-java drops localities
   * that have no weight, so it is always set.) Endpoint priorities are renumbered 0, 1, 2... in
   * order, because Envoy and grpc-java expect the priorities of an assignment to have no gaps.
   * Empty when no endpoint is healthy.
   */
  public static ClusterLoadAssignment assignment(String clusterName, List<Endpoint> endpoints) {
    Map<Integer, Map<Locality, LocalityLbEndpoints.Builder>> byPriority = new TreeMap<>();
    Map<Integer, Map<Locality, Integer>> weights = new TreeMap<>();
    for (Endpoint e : endpoints) {
      if (!e.health().receivesTraffic()) {
        continue;
      }
      byPriority
          .computeIfAbsent(e.priority(), p -> new TreeMap<>())
          .computeIfAbsent(
              e.locality(), l -> LocalityLbEndpoints.newBuilder().setLocality(locality(l)))
          .addLbEndpoints(lbEndpoint(e));
      weights
          .computeIfAbsent(e.priority(), p -> new TreeMap<>())
          .merge(e.locality(), e.weight(), Integer::sum);
    }
    ClusterLoadAssignment.Builder cla =
        ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
    int rank = 0;
    java.util.Set<Locality> used = new java.util.HashSet<>();
    for (Map.Entry<Integer, Map<Locality, LocalityLbEndpoints.Builder>> p : byPriority.entrySet()) {
      int priority = rank++;
      Map<Locality, Integer> w = weights.get(p.getKey());
      p.getValue()
          .forEach(
              (l, b) -> {
                if (!used.add(l)) {
                  b.setLocality(
                      locality(
                          new Locality(
                              l.region(), l.zone(), l.subzone() + PRIORITY_SUBZONE + priority)));
                }
                cla.addEndpoints(
                    b.setPriority(priority).setLoadBalancingWeight(UInt32Value.of(w.get(l))));
              });
    }
    return cla.build();
  }

  static LbEndpoint lbEndpoint(Endpoint e) {
    return LbEndpoint.newBuilder()
        .setEndpoint(
            io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                .setAddress(socketAddress(e.address(), e.port())))
        .setHealthStatus(HealthStatus.HEALTHY)
        .setLoadBalancingWeight(UInt32Value.of(e.weight()))
        .build();
  }

  public static Address socketAddress(String address, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(address).setPortValue(port))
        .build();
  }

  static io.envoyproxy.envoy.config.core.v3.Locality locality(Locality l) {
    return io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
        .setRegion(l.region())
        .setZone(l.zone())
        .setSubZone(l.subzone())
        .build();
  }
}
