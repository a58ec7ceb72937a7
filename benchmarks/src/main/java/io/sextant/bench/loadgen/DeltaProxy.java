package io.sextant.bench.loadgen;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.sextant.bench.loadgen.TypeStats.Type;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** A simulated Envoy speaking incremental (delta) ADS. */
final class DeltaProxy extends SimulatedProxy implements StreamObserver<DeltaDiscoveryResponse> {
  private StreamObserver<DeltaDiscoveryRequest> requests;
  private boolean nodeSent;
  private final Map<Type, Boolean> received = new EnumMap<>(Type.class);

  /** Listener name to the route configurations it asks for. */
  private final Map<String, List<String>> listeners = new HashMap<>();

  /** Cluster name to its EDS name, for EDS clusters. */
  private final Map<String, Optional<String>> clusters = new HashMap<>();

  private final Set<String> edsNames = new HashSet<>();
  private final Set<String> rdsNames = new HashSet<>();

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
      requests = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(this);
      send(request(Type.LDS));
      send(request(Type.CDS));
    }
  }

  private DeltaDiscoveryRequest.Builder request(Type type) {
    return DeltaDiscoveryRequest.newBuilder().setTypeUrl(type.url);
  }

  private void send(DeltaDiscoveryRequest.Builder b) {
    if (!nodeSent) {
      b.setNode(node); // Envoy sends the node on the first request of a stream only.
      nodeSent = true;
    }
    requests.onNext(b.build());
  }

  @Override
  public synchronized void onNext(DeltaDiscoveryResponse r) {
    Type type = Type.of(r.getTypeUrl());
    stats.record(type, r.getResourcesCount(), r.getSerializedSize());
    List<Any> resources = r.getResourcesList().stream().map(Resource::getResource).toList();
    List<Convergence.Change> markers = markersIn(type, resources);
    switch (type) {
      case LDS -> {
        for (Resource res : r.getResourcesList()) {
          listeners.put(res.getName(), rdsNames(List.of(res.getResource())));
        }
        r.getRemovedResourcesList().forEach(listeners::remove);
        Set<String> want = new HashSet<>();
        listeners.values().forEach(want::addAll);
        subscribe(Type.RDS, rdsNames, want);
      }
      case CDS -> {
        for (Resource res : r.getResourcesList()) {
          clusters.put(res.getName(), edsName(res.getResource()));
        }
        r.getRemovedResourcesList().forEach(clusters::remove);
        Set<String> want = new HashSet<>();
        clusters.values().forEach(o -> o.ifPresent(want::add));
        subscribe(Type.EDS, edsNames, want);
      }
      default -> {}
    }
    send(request(type).setResponseNonce(r.getNonce()));
    received.put(type, true);
    acked(markers);
    convergedIf(
        received.get(Type.LDS)
            && received.get(Type.CDS)
            && (edsNames.isEmpty() || received.get(Type.EDS))
            && (rdsNames.isEmpty() || received.get(Type.RDS)));
  }

  /** Sends the difference between what {@code current} holds and {@code want}, if any. */
  private void subscribe(Type type, Set<String> current, Set<String> want) {
    Set<String> add = new HashSet<>(want);
    add.removeAll(current);
    Set<String> drop = new HashSet<>(current);
    drop.removeAll(want);
    if (add.isEmpty() && drop.isEmpty()) {
      return;
    }
    current.clear();
    current.addAll(want);
    if (!add.isEmpty()) {
      received.put(type, false);
    }
    send(request(type).addAllResourceNamesSubscribe(add).addAllResourceNamesUnsubscribe(drop));
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
