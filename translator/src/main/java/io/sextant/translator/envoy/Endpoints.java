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
  private Endpoints() {}

  /**
   * The assignment for {@code clusterName}: only endpoints that receive traffic, one {@code
   * LocalityLbEndpoints} per locality in locality order, each with a {@code load_balancing_weight}
   * equal to the sum of its endpoints' weights. (grpc-java drops localities that have no weight, so
   * it is always set.) Empty when no endpoint is healthy.
   */
  public static ClusterLoadAssignment assignment(String clusterName, List<Endpoint> endpoints) {
    Map<Locality, LocalityLbEndpoints.Builder> byLocality = new TreeMap<>();
    Map<Locality, Integer> weights = new TreeMap<>();
    for (Endpoint e : endpoints) {
      if (!e.health().receivesTraffic()) {
        continue;
      }
      byLocality
          .computeIfAbsent(
              e.locality(), l -> LocalityLbEndpoints.newBuilder().setLocality(locality(l)))
          .addLbEndpoints(lbEndpoint(e));
      weights.merge(e.locality(), e.weight(), Integer::sum);
    }
    ClusterLoadAssignment.Builder cla =
        ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
    byLocality.forEach(
        (l, b) -> cla.addEndpoints(b.setLoadBalancingWeight(UInt32Value.of(weights.get(l)))));
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
