package io.sextant.server.xds;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A state-of-the-world ADS stream. LDS and CDS responses carry every resource the proxy subscribes
 * to (the protocol requires it); RDS and EDS responses carry only the subscribed resources that
 * changed since the last response, which the protocol allows: an endpoint change sends one
 * ClusterLoadAssignment to the proxies that watch it, and nothing to the others.
 */
final class SotwStream extends XdsStream implements StreamObserver<SotwRequest> {

  SotwStream(
      long id, StreamObserver<EncodedResponse> out, XdsStreams streams, ProxyTracker tracker) {
    super(id, false, out, streams, tracker);
  }

  @Override
  public synchronized void onNext(SotwRequest request) {
    if (!identified() && !identify(request.node())) {
      return;
    }
    Optional<XdsType> known = XdsType.of(request.typeUrl());
    if (known.isEmpty()) {
      return; // a type Sextant does not serve (secrets, ...): no answer means "none"
    }
    XdsType type = known.get();
    TypeState s = types.get(type);
    tracker.requested(connection, type, request.versionInfo());
    String nonce = request.responseNonce();
    if (!nonce.isEmpty()) {
      if (!nonce.equals(s.sentNonce)) {
        return; // answers an older response; a newer one is on its way
      }
      if (s.inFlight) {
        answered(type);
        if (request.errorDetail().isPresent()) {
          // Not sent again: the proxy keeps its last good configuration until ours changes.
          tracker.nacked(connection, type, nonce, request.errorDetail().get().getMessage());
        }
      }
    }
    // Envoy repeats every name in every request (1,000s for EDS); when the bytes are the same as
    // last time, the subscription is too, and nothing needs decoding, hashing or interning.
    long fingerprint = request.namesFingerprint();
    Set<String> names =
        s.subscribed
                && fingerprint != 0
                && fingerprint == s.fingerprint
                && request.nameCount() == s.nameCount
            ? s.names
            : subscription(fingerprint, request);
    s.nameCount = request.nameCount();
    s.fingerprint = fingerprint;
    boolean changed = !s.subscribed || !names.equals(s.names);
    // Before the first response, that response carries every name anyway.
    if (!type.fullState() && s.sent != null && names != s.names) {
      for (String n : names) {
        if (!s.names.contains(n)) {
          s.force.add(n); // newly asked for: sent whether or not it changed
        }
      }
    }
    if (!s.subscribed) {
      s.heldVersion = request.versionInfo();
    }
    s.subscribed = true;
    s.wildcard = type.fullState() && names.isEmpty();
    s.names = names;
    s.resubscribed = s.resubscribed || changed;
    GroupSnapshot snapshot = current();
    if (s.inFlight || snapshot == null) {
      // Answered when the ACK comes, or when the group's first snapshot is published.
      return;
    }
    send(type, snapshot, s.resubscribed);
  }

  @Override
  void send(XdsType type, GroupSnapshot snapshot, boolean full) {
    TypeState s = types.get(type);
    ResourceSet.Encoding body;
    if (type.fullState()) {
      if (s.sent != null && !full && snapshot.version(type).equals(s.sent.version(type))) {
        s.sent = snapshot;
        return;
      }
      // A reconnecting proxy that holds the whole current set (wildcard) needs nothing. For
      // named or partial subscriptions a version does not prove which names it holds: resend.
      if (s.sent == null && s.wildcard && snapshot.version(type).equals(s.heldVersion)) {
        s.sent = snapshot;
        s.resubscribed = false;
        return;
      }
      body = s.wildcard ? snapshot.entries(type, false) : snapshot.entries(type, false, s.names);
      if (type == XdsType.CDS) {
        forceEndpointsOfChangedClusters(snapshot, s.sent);
      }
    } else if (s.sent == null) {
      body = snapshot.entries(type, false, s.names);
    } else {
      List<Resource> resources = new ArrayList<>();
      for (String n : union(snapshot.changedSince(type, s.sent), s.force)) {
        Resource r = s.names.contains(n) ? snapshot.get(type, n) : null;
        if (r != null) {
          resources.add(r);
        }
      }
      if (resources.isEmpty()) {
        s.force.clear();
        s.sent = snapshot; // nothing this proxy watches changed
        return;
      }
      body = ResourceSet.encode(false, resources);
    }
    String nonce = nextNonce();
    EncodedResponse response =
        EncodedResponse.of(
            type, snapshot.version(type), nonce, body.bytes(), body.count(), List.of());
    if (!reserve(type, response.size())) {
      return; // sent from the then-current snapshot once budget frees up
    }
    s.force.clear();
    s.resubscribed = false;
    s.sent = snapshot;
    s.sentNonce = nonce;
    s.sentVersion = snapshot.version(type);
    s.inFlight = true;
    write(response);
    tracker.sent(connection, type, snapshot.version(type), nonce, body.count());
    if (type == XdsType.CDS) {
      TypeState eds = types.get(XdsType.EDS);
      if (!eds.force.isEmpty() && eds.subscribed && !eds.inFlight) {
        send(XdsType.EDS, snapshot, false);
      }
    }
  }

  /**
   * Subscriptions by the fingerprint of their encoded names: the sidecars of a namespace send the
   * very same thousands of EDS names, so only the first of them needs decoding.
   */
  private static final Map<List<Long>, Set<String>> BY_FINGERPRINT =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Long>, Set<String>> eldest) {
          return size() > 256;
        }
      };

  private static Set<String> subscription(long fingerprint, SotwRequest request) {
    if (fingerprint == 0) {
      return subscription(new HashSet<>(request.names()));
    }
    List<Long> key = List.of(fingerprint, (long) request.nameCount());
    synchronized (BY_FINGERPRINT) {
      Set<String> known = BY_FINGERPRINT.get(key);
      if (known != null) {
        return known;
      }
    }
    Set<String> names = subscription(new HashSet<>(request.names()));
    synchronized (BY_FINGERPRINT) {
      BY_FINGERPRINT.put(key, names);
    }
    return names;
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
