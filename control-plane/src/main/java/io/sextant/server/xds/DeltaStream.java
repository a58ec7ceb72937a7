package io.sextant.server.xds;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collection;
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
      long id, StreamObserver<EncodedResponse> out, XdsStreams streams, ProxyTracker tracker) {
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
      answered(type);
      if (request.hasErrorDetail()) {
        tracker.nacked(connection, type, nonce, request.getErrorDetail().getMessage());
      } else {
        tracker.requested(connection, type, s.sentVersion);
      }
    }
    if (!s.subscribed) {
      s.subscribed = true;
      // A first request that names nothing subscribes to everything (Envoy's LDS and CDS).
      s.wildcard = request.getResourceNamesSubscribeCount() == 0;
      if (!request.getInitialResourceVersionsMap().isEmpty()) {
        initialVersions.put(type, Map.copyOf(request.getInitialResourceVersionsMap()));
      }
    }
    // Most requests only ACK: the subscription is rebuilt only when it changes.
    if (request.getResourceNamesSubscribeCount() > 0
        || request.getResourceNamesUnsubscribeCount() > 0) {
      Set<String> names = new HashSet<>(s.names);
      for (String n : request.getResourceNamesSubscribeList()) {
        if (n.equals(WILDCARD)) {
          s.wildcard = true;
        } else if (names.add(n) && s.sent != null) {
          s.force.add(n); // before the first response, that response carries every name anyway
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
    }
    GroupSnapshot snapshot = current();
    if (s.inFlight || snapshot == null) {
      // Answered when the ACK comes, or when the group's first snapshot is published.
      return;
    }
    send(type, snapshot, false);
  }

  @Override
  void send(XdsType type, GroupSnapshot snapshot, boolean full) {
    TypeState s = types.get(type);
    Map<String, String> initial = initialVersions.remove(type);
    ResourceSet.Encoding body;
    List<String> removed = new ArrayList<>();
    if (s.sent == null && initial == null) {
      // A first answer: everything subscribed, encoded once for all streams subscribed alike.
      body = s.wildcard ? snapshot.entries(type, true) : snapshot.entries(type, true, s.names);
      if (!s.wildcard && body.count() < s.names.size()) {
        for (String n : s.names) {
          if (snapshot.get(type, n) == null) {
            removed.add(n); // does not exist: the proxy must not wait for it
          }
        }
      }
    } else {
      Collection<String> candidates;
      if (s.sent != null && s.force.isEmpty()) {
        // The usual push: what changed since the last response, read where it is kept.
        candidates = snapshot.changedSince(type, s.sent);
      } else if (s.sent != null) {
        candidates = new HashSet<>(s.force);
        candidates.addAll(snapshot.changedSince(type, s.sent));
      } else {
        Set<String> all = new HashSet<>(s.force);
        all.addAll(s.names);
        if (s.wildcard) {
          snapshot.all(type).forEach(r -> all.add(r.name()));
        }
        all.addAll(initial.keySet()); // held by the proxy: each is current, changed or gone
        candidates = all;
      }
      List<Resource> resources = new ArrayList<>();
      for (String n : candidates) {
        if (!s.wildcard && !s.names.contains(n)) {
          continue;
        }
        Resource r = snapshot.get(type, n);
        if (r == null) {
          removed.add(n); // gone, or never there: the proxy must not wait for it
        } else if (initial == null || !r.version().equals(initial.get(n))) {
          resources.add(r);
        }
      }
      body = ResourceSet.encode(true, resources);
    }
    if (body.count() == 0 && removed.isEmpty()) {
      if (initial != null) {
        // A reconnecting proxy that listed every resource it holds at its current version (as
        // after a restart of the control plane) holds this snapshot's version of the type: nothing
        // is sent, so no ACK will say so.
        tracker.requested(connection, type, snapshot.version(type));
      }
      if (type == XdsType.CDS) {
        forceEndpointsOfChangedClusters(snapshot, s.sent);
      }
      s.force.clear();
      s.sent = snapshot;
      return;
    }
    String nonce = nextNonce();
    EncodedResponse response =
        EncodedResponse.of(
            type, snapshot.version(type), nonce, body.bytes(), body.count(), removed);
    if (!reserve(type, response.size())) {
      if (initial != null) {
        initialVersions.put(type, initial); // still needed when the retry comes
      }
      return;
    }
    if (type == XdsType.CDS) {
      forceEndpointsOfChangedClusters(snapshot, s.sent);
    }
    s.force.clear();
    GroupSnapshot previous = s.sent;
    s.sent = snapshot;
    s.sentNonce = nonce;
    s.sentVersion = snapshot.version(type);
    s.inFlight = true;
    write(response);
    tracker.sent(connection, type, snapshot.version(type), nonce, body.count());
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
