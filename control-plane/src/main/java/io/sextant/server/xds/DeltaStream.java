package io.sextant.server.xds;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An incremental (delta) ADS stream: every response carries only the resources that were added or
 * changed, and the names of those removed, for what the proxy subscribes to.
 */
final class DeltaStream extends XdsStream implements StreamObserver<DeltaDiscoveryRequest> {
  private static final String WILDCARD = "*";

  /** Versions the proxy said it holds when it (re)connected, per type, until the first send. */
  private final Map<XdsType, Map<String, String>> initialVersions = new HashMap<>();

  DeltaStream(
      long id,
      StreamObserver<DeltaDiscoveryResponse> out,
      XdsStreams streams,
      ProxyTracker tracker) {
    super(id, true, out, streams, tracker);
  }

  @Override
  public synchronized void onNext(DeltaDiscoveryRequest request) {
    if (!identify(request.getNode())) {
      return;
    }
    Optional<XdsType> known = XdsType.of(request.getTypeUrl());
    if (known.isEmpty()) {
      return;
    }
    XdsType type = known.get();
    TypeState s = types.get(type);
    String nonce = request.getResponseNonce();
    if (!nonce.isEmpty() && nonce.equals(s.sentNonce) && s.inFlight) {
      s.inFlight = false;
      if (request.hasErrorDetail()) {
        tracker.nacked(connection, type, nonce, request.getErrorDetail().getMessage());
      } else {
        tracker.requested(connection, type, s.sentVersion);
      }
    }
    Set<String> names = new HashSet<>(s.names);
    if (!s.subscribed) {
      s.subscribed = true;
      // A first request that names nothing subscribes to everything (Envoy's LDS and CDS).
      s.wildcard = request.getResourceNamesSubscribeCount() == 0;
      if (!request.getInitialResourceVersionsMap().isEmpty()) {
        initialVersions.put(type, Map.copyOf(request.getInitialResourceVersionsMap()));
      }
    }
    for (String n : request.getResourceNamesSubscribeList()) {
      if (n.equals(WILDCARD)) {
        s.wildcard = true;
      } else if (names.add(n)) {
        s.force.add(n);
      }
    }
    for (String n : request.getResourceNamesUnsubscribeList()) {
      if (n.equals(WILDCARD)) {
        s.wildcard = false;
      } else {
        names.remove(n);
        s.force.remove(n);
      }
    }
    s.names = subscription(names);
    if (s.inFlight) {
      s.dirty = true;
      return;
    }
    GroupSnapshot snapshot = current();
    if (snapshot == null) {
      s.dirty = true;
      return;
    }
    send(type, snapshot, false);
  }

  @Override
  void send(XdsType type, GroupSnapshot snapshot, boolean full) {
    TypeState s = types.get(type);
    s.dirty = false;
    Map<String, String> initial = initialVersions.remove(type);
    Set<String> candidates = new HashSet<>(s.force);
    if (s.sent == null) {
      candidates.addAll(s.names);
      if (s.wildcard) {
        snapshot.all(type).forEach(r -> candidates.add(r.name()));
      }
      if (initial != null) {
        candidates.addAll(initial.keySet());
      }
    } else {
      candidates.addAll(snapshot.changedSince(type, s.sent));
    }
    List<io.envoyproxy.envoy.service.discovery.v3.Resource> resources = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (String n : candidates) {
      if (!s.wildcard && !s.names.contains(n)) {
        continue;
      }
      Resource r = snapshot.get(type, n);
      if (r == null) {
        removed.add(n); // gone, or never there: the proxy must not wait for it
      } else if (initial == null || !r.version().equals(initial.get(n))) {
        resources.add(
            io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder()
                .setName(n)
                .setVersion(r.version())
                .setResource(r.any())
                .build());
      }
    }
    if (type == XdsType.CDS) {
      forceEndpointsOfChangedClusters(snapshot, s.sent);
    }
    s.force.clear();
    GroupSnapshot previous = s.sent;
    s.sent = snapshot;
    if (resources.isEmpty() && removed.isEmpty()) {
      return;
    }
    String nonce = nextNonce();
    s.sentNonce = nonce;
    s.sentVersion = snapshot.version(type);
    s.inFlight = true;
    write(
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(type.typeUrl())
            .setSystemVersionInfo(snapshot.version(type))
            .setNonce(nonce)
            .addAllResources(resources)
            .addAllRemovedResources(removed)
            .build());
    tracker.sent(connection, type, snapshot.version(type), nonce, resources.size());
    if (type == XdsType.CDS && previous != null) {
      TypeState eds = types.get(XdsType.EDS);
      if (!eds.force.isEmpty() && eds.subscribed && !eds.inFlight) {
        send(XdsType.EDS, snapshot, false);
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    closed("closed with error: " + Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    closed("closed");
  }
}
