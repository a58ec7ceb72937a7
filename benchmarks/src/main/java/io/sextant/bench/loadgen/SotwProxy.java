package io.sextant.bench.loadgen;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.sextant.bench.loadgen.TypeStats.Type;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A simulated Envoy speaking state-of-the-world ADS: like Envoy, every request carries the node
 * and, for RDS and EDS, every subscribed name.
 */
final class SotwProxy extends SimulatedProxy implements StreamObserver<Wire.Response> {
  private StreamObserver<ByteString> requests;
  private final Map<Type, String> versions = new EnumMap<>(Type.class);
  private final Map<Type, String> nonces = new EnumMap<>(Type.class);
  private final Map<Type, Boolean> acked = new EnumMap<>(Type.class);
  private final Map<Type, ByteString> names = new EnumMap<>(Type.class);
  private Set<String> edsNames = Set.of();
  private Set<String> rdsNames = Set.of();

  SotwProxy(
      int index,
      Node node,
      ManagedChannel channel,
      TypeStats stats,
      Convergence convergence,
      CountDownLatch converged) {
    super(index, node, channel, stats, convergence, converged);
    for (Type t : Type.values()) {
      versions.put(t, "");
      nonces.put(t, "");
      acked.put(t, false);
      names.put(t, ByteString.EMPTY);
    }
  }

  @Override
  void start() {
    synchronized (this) {
      requests =
          ClientCalls.asyncBidiStreamingCall(channel.newCall(Wire.SOTW, CallOptions.DEFAULT), this);
      send(Type.LDS);
      send(Type.CDS);
    }
  }

  private void send(Type type) {
    requests.onNext(
        Wire.sotwRequest(
            nodeBytes, type.url, versions.get(type), nonces.get(type), names.get(type)));
  }

  /**
   * Encoded name lists, shared by the proxies that subscribe alike (all of a namespace's sidecars):
   * 2,000 private copies of 1,200 EDS names are 116 MB the load generator's GC would keep copying.
   * Keyed by identity: the name sets are {@link #shared} instances, and hashing a set of 1,200
   * names for each of 2,000 proxies showed in the load generator's profile.
   */
  private static final Map<Set<String>, ByteString> ENCODED_NAMES =
      Collections.synchronizedMap(new IdentityHashMap<>());

  /**
   * The names a full LDS or CDS response leads to, by its version. Versions are content hashes, so
   * one version is one content: the 2,000 proxies that receive it need not each read it again.
   */
  private static final Map<String, Set<String>> BY_VERSION = new ConcurrentHashMap<>();

  private void subscribe(Type type, Set<String> subscription) {
    names.put(type, ENCODED_NAMES.computeIfAbsent(subscription, s -> Wire.strings(3, s)));
    acked.put(type, false);
    send(type);
  }

  @Override
  public synchronized void onNext(Wire.Response r) {
    Type type = Type.of(r.typeUrl());
    stats.record(type, r.resourceCount(), r.size());
    List<Convergence.Change> markers = markersIn(type, r);
    versions.put(type, r.version());
    nonces.put(type, r.nonce());
    send(type);
    if (type == Type.LDS) {
      Set<String> rds =
          BY_VERSION.computeIfAbsent(
              "LDS " + r.version(), v -> shared(new TreeSet<>(rdsNames(r.resources()))));
      if (!rds.equals(rdsNames)) {
        rdsNames = rds;
        subscribe(Type.RDS, rdsNames);
      }
    } else if (type == Type.CDS) {
      Set<String> eds =
          BY_VERSION.computeIfAbsent(
              "CDS " + r.version(),
              v -> {
                Set<String> names = new TreeSet<>();
                for (Wire.Item c : r.resources()) {
                  edsName(Wire.stringField(c.value(), 1), r.version(), c).ifPresent(names::add);
                }
                return shared(names);
              });
      if (!eds.equals(edsNames)) {
        edsNames = eds;
        subscribe(Type.EDS, edsNames);
      }
    }
    acked.put(type, true);
    acked(markers);
    convergedIf(
        acked.get(Type.LDS)
            && acked.get(Type.CDS)
            && (edsNames.isEmpty() || acked.get(Type.EDS))
            && (rdsNames.isEmpty() || acked.get(Type.RDS)));
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
