package io.sextant.bench.loadgen;

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
  private StreamObserver<byte[]> requests;
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
      Clusters next =
          key.isPresent()
              ? FIRST_CLUSTERS.computeIfAbsent(key.get(), k -> clustersAfter(Map.of(), r))
              : clustersAfter(clusters, r);
      clusters = next.edsNames();
      edsNames = subscribe(Type.EDS, edsNames, next.want());
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

  /**
   * The outcome of a first CDS response, by the response's resources (their fingerprint): the 2,000
   * proxies of a scenario mostly receive the very same clusters, and working out 2,400 EDS names
   * each was most of the load generator's work in a delta cold start.
   */
  private static final Map<List<Long>, Clusters> FIRST_CLUSTERS = new ConcurrentHashMap<>();

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
    if (current.isEmpty() && !want.isEmpty() && nodeSent) {
      // A first subscription: encoded once for every proxy that asks for the same names.
      received.put(type, false);
      requests.onNext(
          FIRST_SUBSCRIPTIONS.computeIfAbsent(
              new Subscription(type, want),
              s -> Wire.deltaRequest(null, type.url, want, List.of(), "")));
      return want;
    }
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

  /** A first subscription, by type and by the (shared) set of names: compared by identity. */
  private record Subscription(Type type, Set<String> names) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Subscription s && s.type == type && s.names == names;
    }

    @Override
    public int hashCode() {
      return type.hashCode() * 31 + System.identityHashCode(names);
    }
  }

  private static final Map<Subscription, byte[]> FIRST_SUBSCRIPTIONS = new ConcurrentHashMap<>();

  @Override
  public void onError(Throwable t) {
    failure = t;
  }

  @Override
  public void onCompleted() {
    failure = new IllegalStateException("the control plane closed the stream");
  }
}
