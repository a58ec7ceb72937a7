package io.sextant.bench.loadgen;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.grpc.ManagedChannel;
import io.sextant.bench.loadgen.TypeStats.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
  final ByteString nodeBytes;
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
    this.nodeBytes = node.toByteString();
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

  /**
   * What simulated proxies hold alike is held once: 2,000 proxies each keeping its own copy of
   * 1,200 cluster names filled the load generator's heap and made its collections long enough to
   * delay the very responses being measured. Equal maps and sets collapse into one instance.
   */
  private static final Interner<Object> SHARED = Interners.newWeakInterner();

  @SuppressWarnings("unchecked")
  static <T> T shared(T value) {
    return (T) SHARED.intern(value);
  }

  /** EDS names by cluster name and version: the same for every proxy, so each is read once. */
  private static final Map<String, Optional<String>> EDS_NAMES = new ConcurrentHashMap<>();

  /** The EDS name of {@code cluster}, whose content is identified by {@code version}. */
  static Optional<String> edsName(String clusterName, String version, Wire.Item cluster) {
    return EDS_NAMES.computeIfAbsent(
        clusterName + '\0' + version, k -> Wire.edsName(cluster.value()).map(String::intern));
  }

  /** Route configuration names listeners ask for over RDS (listeners are few: parsed whole). */
  static List<String> rdsNames(List<Wire.Item> listeners) {
    List<String> names = new ArrayList<>();
    for (Wire.Item item : listeners) {
      Listener l = parse(item.value(), Listener.parser());
      for (FilterChain chain : l.getFilterChainsList()) {
        for (Filter f : chain.getFiltersList()) {
          if (f.getTypedConfig().getTypeUrl().endsWith("HttpConnectionManager")) {
            HttpConnectionManager hcm =
                parse(f.getTypedConfig().getValue(), HttpConnectionManager.parser());
            if (hcm.hasRds()) {
              names.add(hcm.getRds().getRouteConfigName());
            }
          }
        }
      }
    }
    return names;
  }

  /**
   * The changes in flight whose markers {@code response} carries, among those this proxy watches
   * (see {@link Convergence#watchedBy}). Nothing is read when no change of that kind is in flight;
   * an assignment is searched only when it is the changed cluster's.
   */
  List<Convergence.Change> markersIn(Type type, Wire.Response response) {
    List<Convergence.Change> found = new ArrayList<>();
    if (type == Type.EDS && convergence.anyRecent(LoadGenerator.ENDPOINT_CHANGE)) {
      for (Wire.Item item : response.resources()) {
        Convergence.Change c =
            convergence.watchedBy(index, name(item), LoadGenerator.ENDPOINT_CHANGE);
        if (c != null && Wire.contains(item.value(), c.pattern)) {
          found.add(c);
        }
      }
    } else if (type == Type.RDS) {
      List<Convergence.Change> watched = convergence.watchedBy(index, LoadGenerator.RULE_CHANGE);
      if (watched.isEmpty()) {
        return found;
      }
      List<String> names = response.resources().stream().map(SimulatedProxy::name).toList();
      for (Convergence.Change c : watched) {
        // A rule change renames a route of virtual host HOST:PORT, which only the route
        // configuration of that port holds (they are named by port). Searching only it matters
        // with Sidecars: a proxy watches every change it is not expected to get until the phase
        // ends, and searching every configuration for each of them made the load generator
        // slower than the control plane.
        String config = c.resource.substring(c.resource.lastIndexOf(':') + 1);
        for (int i = 0; i < names.size(); i++) {
          if (names.get(i).equals(config)
              && Wire.contains(response.resources().get(i).value(), c.pattern)) {
            found.add(c);
            break;
          }
        }
      }
    }
    return found;
  }

  /** A resource's name: the delta wrapper's, or else field 1 of the resource (its name). */
  private static String name(Wire.Item item) {
    return item.name() != null && !item.name().isEmpty()
        ? item.name()
        : Wire.stringField(item.value(), 1);
  }

  void acked(List<Convergence.Change> changes) {
    if (!changes.isEmpty()) {
      convergence.acked(changes, index, System.nanoTime());
    }
  }

  static <T> T parse(ByteString bytes, com.google.protobuf.Parser<T> parser) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unparseable resource", e);
    }
  }
}
