package io.sextant.server.xds;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A state-of-the-world ADS stream. LDS and CDS responses carry every resource the proxy subscribes
 * to (the protocol requires it); RDS and EDS responses carry only the subscribed resources that
 * changed since the last response, which the protocol allows: an endpoint change sends one
 * ClusterLoadAssignment to the proxies that watch it, and nothing to the others.
 */
final class SotwStream extends XdsStream implements StreamObserver<DiscoveryRequest> {

  SotwStream(
      long id, StreamObserver<DiscoveryResponse> out, XdsStreams streams, ProxyTracker tracker) {
    super(id, false, out, streams, tracker);
  }

  @Override
  public synchronized void onNext(DiscoveryRequest request) {
    if (!identify(request.getNode())) {
      return;
    }
    Optional<XdsType> known = XdsType.of(request.getTypeUrl());
    if (known.isEmpty()) {
      return; // a type Sextant does not serve (secrets, ...): no answer means "none"
    }
    XdsType type = known.get();
    TypeState s = types.get(type);
    tracker.requested(connection, type, request.getVersionInfo());
    String nonce = request.getResponseNonce();
    if (!nonce.isEmpty()) {
      if (!nonce.equals(s.sentNonce)) {
        return; // answers an older response; a newer one is on its way
      }
      if (s.inFlight) {
        s.inFlight = false;
        if (request.hasErrorDetail()) {
          // Not sent again: the proxy keeps its last good configuration until ours changes.
          tracker.nacked(connection, type, nonce, request.getErrorDetail().getMessage());
        }
      }
    }
    Set<String> names = subscription(new HashSet<>(request.getResourceNamesList()));
    boolean changed = !s.subscribed || !names.equals(s.names);
    if (!type.fullState()) {
      for (String n : names) {
        if (!s.names.contains(n)) {
          s.force.add(n); // newly asked for: sent whether or not it changed
        }
      }
    }
    if (!s.subscribed) {
      s.heldVersion = request.getVersionInfo();
    }
    s.subscribed = true;
    s.wildcard = type.fullState() && names.isEmpty();
    s.names = names;
    if (s.inFlight) {
      s.dirty = s.dirty || changed;
      return;
    }
    GroupSnapshot snapshot = current();
    if (snapshot == null) {
      s.dirty = true; // answered when the group's first snapshot is published
      return;
    }
    send(type, snapshot, changed || s.dirty);
  }

  @Override
  void send(XdsType type, GroupSnapshot snapshot, boolean full) {
    TypeState s = types.get(type);
    s.dirty = false;
    List<Resource> resources = new ArrayList<>();
    if (type.fullState()) {
      if (s.sent != null && !full && snapshot.version(type).equals(s.sent.version(type))) {
        s.sent = snapshot;
        return;
      }
      // A reconnecting proxy that holds the whole current set (wildcard) needs nothing. For
      // named or partial subscriptions a version does not prove which names it holds: resend.
      if (s.sent == null && s.wildcard && snapshot.version(type).equals(s.heldVersion)) {
        s.sent = snapshot;
        return;
      }
      if (s.wildcard) {
        resources = snapshot.all(type);
      } else {
        for (String n : s.names) {
          Resource r = snapshot.get(type, n);
          if (r != null) {
            resources.add(r);
          }
        }
      }
      if (type == XdsType.CDS) {
        forceEndpointsOfChangedClusters(snapshot, s.sent);
      }
    } else {
      Set<String> wanted =
          s.sent == null ? s.names : union(snapshot.changedSince(type, s.sent), s.force);
      for (String n : wanted) {
        Resource r = s.names.contains(n) ? snapshot.get(type, n) : null;
        if (r != null) {
          resources.add(r);
        }
      }
      s.force.clear();
      if (resources.isEmpty() && s.sent != null) {
        s.sent = snapshot; // nothing this proxy watches changed
        return;
      }
    }
    String nonce = nextNonce();
    DiscoveryResponse.Builder response =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(type.typeUrl())
            .setVersionInfo(snapshot.version(type))
            .setNonce(nonce);
    for (Resource r : resources) {
      response.addResources(r.any());
    }
    s.sent = snapshot;
    s.sentNonce = nonce;
    s.sentVersion = snapshot.version(type);
    s.inFlight = true;
    write(response.build());
    tracker.sent(connection, type, snapshot.version(type), nonce, resources.size());
    if (type == XdsType.CDS) {
      TypeState eds = types.get(XdsType.EDS);
      if (!eds.force.isEmpty() && eds.subscribed && !eds.inFlight) {
        send(XdsType.EDS, snapshot, false);
      }
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    if (b.isEmpty()) {
      return a;
    }
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return u;
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
