package io.sextant.bench.loadgen;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.grpc.ManagedChannel;
import io.sextant.bench.loadgen.TypeStats.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One simulated sidecar: an ADS stream that behaves like Envoy's. It subscribes to LDS and CDS as
 * wildcards, then to RDS and EDS for every name those responses carry, ACKs every response with its
 * version and nonce, and recognises the markers of changes in flight.
 */
abstract class SimulatedProxy {
  final int index;
  final Node node;
  final ManagedChannel channel;
  final TypeStats stats;
  final Convergence convergence;
  private final CountDownLatch converged;
  private boolean countedConverged;
  volatile Throwable failure;

  SimulatedProxy(
      int index,
      Node node,
      ManagedChannel channel,
      TypeStats stats,
      Convergence convergence,
      CountDownLatch converged) {
    this.index = index;
    this.node = node;
    this.channel = channel;
    this.stats = stats;
    this.convergence = convergence;
    this.converged = converged;
  }

  abstract void start();

  /** Called (under the proxy's lock) after each response: counts the proxy once converged. */
  final void convergedIf(boolean allTypesAcked) {
    if (allTypesAcked && !countedConverged) {
      countedConverged = true;
      converged.countDown();
    }
  }

  void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The node Envoy would send for sidecar {@code index} of {@code service}. */
  static Node node(int index, String service, String namespace, String version) {
    return Node.newBuilder()
        .setId(String.format("proxy-%05d.%s", index, namespace))
        .setCluster(service)
        .setUserAgentName("envoy")
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", str(namespace))
                .putFields("INTERCEPTION_MODE", str("REDIRECT"))
                .putFields(
                    "LABELS",
                    Value.newBuilder()
                        .setStructValue(
                            Struct.newBuilder()
                                .putFields("app", str(service))
                                .putFields("version", str(version)))
                        .build()))
        .build();
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** Route configuration names the listeners ask for over RDS. */
  static List<String> rdsNames(Iterable<Any> listeners) {
    List<String> names = new ArrayList<>();
    for (Any a : listeners) {
      Listener l = parse(a, Listener.parser());
      for (FilterChain chain : l.getFilterChainsList()) {
        for (Filter f : chain.getFiltersList()) {
          if (f.getTypedConfig().getTypeUrl().endsWith("HttpConnectionManager")) {
            HttpConnectionManager hcm = parse(f.getTypedConfig(), HttpConnectionManager.parser());
            if (hcm.hasRds()) {
              names.add(hcm.getRds().getRouteConfigName());
            }
          }
        }
      }
    }
    return names;
  }

  /** The EDS service name of a cluster, if it is an EDS cluster. */
  static Optional<String> edsName(Any cluster) {
    Cluster c = parse(cluster, Cluster.parser());
    if (c.getType() != Cluster.DiscoveryType.EDS) {
      return Optional.empty();
    }
    String service = c.getEdsClusterConfig().getServiceName();
    return Optional.of(service.isEmpty() ? c.getName() : service);
  }

  /** Changes whose markers these resources carry; parses only while changes are in flight. */
  List<Convergence.Change> markersIn(Type type, Iterable<Any> resources) {
    String kind = type == Type.EDS ? LoadGenerator.ENDPOINT_CHANGE : LoadGenerator.RULE_CHANGE;
    if ((type != Type.EDS && type != Type.RDS) || !convergence.anyPending(kind)) {
      return List.of();
    }
    List<Convergence.Change> found = new ArrayList<>();
    for (Any a : resources) {
      if (type == Type.EDS) {
        ClusterLoadAssignment cla = parse(a, ClusterLoadAssignment.parser());
        Convergence.Change c = convergence.pending(cla.getClusterName());
        if (c != null && hasPort(cla, Integer.parseInt(c.marker))) {
          found.add(c);
        }
      } else {
        RouteConfiguration rc = parse(a, RouteConfiguration.parser());
        for (VirtualHost vh : rc.getVirtualHostsList()) {
          Convergence.Change c = convergence.pending(vh.getName());
          if (c != null && hasRoute(vh, c.marker)) {
            found.add(c);
          }
        }
      }
    }
    return found;
  }

  void acked(List<Convergence.Change> changes) {
    long now = System.nanoTime();
    for (Convergence.Change c : changes) {
      convergence.acked(c, index, now);
    }
  }

  private static boolean hasPort(ClusterLoadAssignment cla, int port) {
    for (LocalityLbEndpoints l : cla.getEndpointsList()) {
      for (LbEndpoint e : l.getLbEndpointsList()) {
        if (e.getEndpoint().getAddress().getSocketAddress().getPortValue() == port) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean hasRoute(VirtualHost vh, String name) {
    for (Route r : vh.getRoutesList()) {
      if (r.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  static <T> T parse(Any any, com.google.protobuf.Parser<T> parser) {
    try {
      return parser.parseFrom(any.getValue());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unparseable " + any.getTypeUrl(), e);
    }
  }
}
