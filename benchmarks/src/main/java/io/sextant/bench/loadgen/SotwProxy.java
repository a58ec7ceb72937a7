package io.sextant.bench.loadgen;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.sextant.bench.loadgen.TypeStats.Type;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/** A simulated Envoy speaking state-of-the-world ADS. */
final class SotwProxy extends SimulatedProxy implements StreamObserver<DiscoveryResponse> {
  private StreamObserver<DiscoveryRequest> requests;
  private final Map<Type, String> versions = new EnumMap<>(Type.class);
  private final Map<Type, String> nonces = new EnumMap<>(Type.class);
  private final Map<Type, Boolean> acked = new EnumMap<>(Type.class);
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
    }
  }

  @Override
  void start() {
    synchronized (this) {
      requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(this);
      send(Type.LDS, Set.of());
      send(Type.CDS, Set.of());
    }
  }

  private void send(Type type, Set<String> names) {
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(type.url)
            .setVersionInfo(versions.get(type))
            .setResponseNonce(nonces.get(type))
            .addAllResourceNames(names)
            .build());
  }

  @Override
  public synchronized void onNext(DiscoveryResponse r) {
    Type type = Type.of(r.getTypeUrl());
    stats.record(type, r.getResourcesCount(), r.getSerializedSize());
    List<Convergence.Change> markers = markersIn(type, r.getResourcesList());
    versions.put(type, r.getVersionInfo());
    nonces.put(type, r.getNonce());
    switch (type) {
      case LDS -> {
        Set<String> rds = new TreeSet<>(rdsNames(r.getResourcesList()));
        send(Type.LDS, Set.of());
        if (!rds.equals(rdsNames)) {
          rdsNames = rds;
          acked.put(Type.RDS, false);
          send(Type.RDS, rdsNames);
        }
      }
      case CDS -> {
        Set<String> eds = new TreeSet<>();
        r.getResourcesList().forEach(c -> edsName(c).ifPresent(eds::add));
        send(Type.CDS, Set.of());
        if (!eds.equals(edsNames)) {
          edsNames = eds;
          acked.put(Type.EDS, false);
          send(Type.EDS, edsNames);
        }
      }
      case EDS -> send(Type.EDS, edsNames);
      case RDS -> send(Type.RDS, rdsNames);
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
