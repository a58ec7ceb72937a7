package io.sextant.bench.loadgen;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.sextant.bench.loadgen.TypeStats.Type;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/** A simulated Envoy speaking incremental (delta) ADS: the node only on the first request. */
final class DeltaProxy extends SimulatedProxy implements StreamObserver<Wire.Response> {
  private StreamObserver<ByteString> requests;
  private boolean nodeSent;
  private final Map<Type, Boolean> received = new EnumMap<>(Type.class);

  /** Listener name to the route configurations it asks for (shared, immutable). */
  private Map<String, List<String>> listeners = Map.of();

  /** Cluster name to its EDS name, for EDS clusters (shared, immutable). */
  private Map<String, Optional<String>> clusters = Map.of();

  private Set<String> edsNames = Set.of();
  private Set<String> rdsNames = Set.of();

  DeltaProxy(
      int index,
      Node node,
      ManagedChannel channel,
      TypeStats stats,
      Convergence convergence,
      CountDownLatch converged) {
    super(index, node, channel, stats, convergence, converged);
    for (Type t : Type.values()) {
      received.put(t, false);
    }
  }

  @Override
  void start() {
    synchronized (this) {
      requests =
          ClientCalls.asyncBidiStreamingCall(
              channel.newCall(Wire.DELTA, CallOptions.DEFAULT), this);
      send(Type.LDS, List.of(), List.of(), "");
      send(Type.CDS, List.of(), List.of(), "");
    }
  }

  private void send(
      Type type, Collection<String> subscribe, Collection<String> unsubscribe, String nonce) {
    requests.onNext(
        Wire.deltaRequest(nodeSent ? null : nodeBytes, type.url, subscribe, unsubscribe, nonce));
    nodeSent = true;
  }

  @Override
  public synchronized void onNext(Wire.Response r) {
    Type type = Type.of(r.typeUrl());
    stats.record(type, r.resourceCount(), r.size());
    List<Convergence.Change> markers = markersIn(type, r);
    send(type, List.of(), List.of(), r.nonce());
    if (type == Type.LDS) {
      Map<String, List<String>> next = new HashMap<>(listeners);
      for (Wire.Item item : r.resources()) {
        next.put(item.name(), rdsNames(List.of(item)));
      }
      r.removed().forEach(next::remove);
      listeners = shared(Map.copyOf(next));
      Set<String> want = new HashSet<>();
      listeners.values().forEach(want::addAll);
      rdsNames = subscribe(Type.RDS, rdsNames, want);
    } else if (type == Type.CDS) {
      Optional<List<Long>> key = clusters.isEmpty() ? r.resourcesKey() : Optional.empty();
      if (key.isPresent() && edsNames.isEmpty() && nodeSent) {
        // A first answer: worked out, and its subscription encoded, once per content.
        FirstClusters first = FIRST_CLUSTERS.computeIfAbsent(key.get(), k -> FirstClusters.of(r));
        clusters = first.clusters().edsNames();
        if (!first.clusters().want().isEmpty()) {
          received.put(Type.EDS, false);
          requests.onNext(first.subscription());
          edsNames = first.clusters().want();
        }
      } else {
        Clusters next = clustersAfter(clusters, r);
        clusters = next.edsNames();
        edsNames = subscribe(Type.EDS, edsNames, next.want());
      }
    }
    received.put(type, true);
    acked(markers);
    convergedIf(
        received.get(Type.LDS)
            && received.get(Type.CDS)
            && (edsNames.isEmpty() || received.get(Type.EDS))
            && (rdsNames.isEmpty() || received.get(Type.RDS)));
  }

  /** What a proxy holds after a CDS response: EDS names by cluster, and the EDS names to watch. */
  private record Clusters(Map<String, Optional<String>> edsNames, Set<String> want) {}

  /** A first CDS answer's outcome, with the EDS subscription it leads to, encoded. */
  private record FirstClusters(Clusters clusters, ByteString subscription) {
    static FirstClusters of(Wire.Response r) {
      Clusters c = clustersAfter(Map.of(), r);
      return new FirstClusters(c, Wire.deltaRequest(null, Type.EDS.url, c.want(), List.of(), ""));
    }
  }

  /**
   * First CDS answers by the response's resources (their fingerprint): the 2,000 proxies of a
   * scenario mostly receive the very same clusters, and working out 1,200 EDS names and encoding
   * the subscription, each, was most of the load generator's work in a delta cold start.
   */
  private static final Map<List<Long>, FirstClusters> FIRST_CLUSTERS = new ConcurrentHashMap<>();

  private static Clusters clustersAfter(Map<String, Optional<String>> held, Wire.Response r) {
    Map<String, Optional<String>> next = new HashMap<>(held);
    for (Wire.Item item : r.resources()) {
      String name = item.name();
      next.put(name, edsName(name, item.version(), item));
    }
    r.removed().forEach(next::remove);
    Set<String> want = new HashSet<>();
    next.values().forEach(o -> o.ifPresent(want::add));
    return new Clusters(shared(Map.copyOf(next)), shared(Set.copyOf(want)));
  }

  /**
   * Sends the difference between what {@code current} holds and {@code want}, if any; returns what
   * is held now.
   */
  private Set<String> subscribe(Type type, Set<String> current, Set<String> want) {
    Set<String> add = new HashSet<>(want);
    add.removeAll(current);
    Set<String> drop = new HashSet<>(current);
    drop.removeAll(want);
    if (add.isEmpty() && drop.isEmpty()) {
      return current;
    }
    if (!add.isEmpty()) {
      received.put(type, false);
    }
    send(type, add, drop, "");
    return shared(Set.copyOf(want));
  }

  @Override
  public void onError(Throwable t) {
    failure = t;
  }

  @Override
  public void onCompleted() {
    failure = new IllegalStateException("the control plane closed the stream");
  }
}
