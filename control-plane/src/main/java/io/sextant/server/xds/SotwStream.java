package io.sextant.server.xds;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
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
    Set<String> names;
    if (s.subscribed && request.hasNames(s.encodedNames)) {
      names = s.names;
    } else {
      Subscription sub = subscription(request);
      names = sub.names();
      s.encodedNames = sub.encoded();
    }
    request.learn(s.encodedNames); // the next request with these names is read faster
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

  /** A subscription, and its names as a request encodes them (null: compare decoded names). */
  record Subscription(Set<String> names, byte[] encoded) {}

  /**
   * Subscriptions by a hash of their encoded names, each checked byte for byte before use: the
   * sidecars of a namespace send the very same thousands of EDS names, so only the first of them
   * needs decoding, and all share one copy of the bytes. Least recently used first; at most {@link
   * #CACHED_ENTRIES} of them and {@link #CACHED_BYTES} of names.
   */
  private static final Map<Integer, Subscription> BY_NAMES = new LinkedHashMap<>(64, 0.75f, true);

  private static final int CACHED_ENTRIES = 256;
  private static final long CACHED_BYTES = 32 << 20;
  private static long cachedBytes;

  static Subscription subscription(SotwRequest request) {
    if (!request.namesComparable()) {
      return new Subscription(subscription(new HashSet<>(request.names())), null);
    }
    int hash = request.namesHash();
    synchronized (BY_NAMES) {
      Subscription known = BY_NAMES.get(hash);
      if (known != null && request.hasNames(known.encoded())) {
        return known;
      }
    }
    Subscription fresh =
        new Subscription(subscription(new HashSet<>(request.names())), request.encodedNames());
    synchronized (BY_NAMES) {
      Subscription replaced = BY_NAMES.put(hash, fresh);
      cachedBytes += fresh.encoded().length - (replaced == null ? 0 : replaced.encoded().length);
      Iterator<Subscription> eldest = BY_NAMES.values().iterator();
      while (BY_NAMES.size() > 1
          && (BY_NAMES.size() > CACHED_ENTRIES || cachedBytes > CACHED_BYTES)) {
        cachedBytes -= eldest.next().encoded().length;
        eldest.remove();
      }
    }
    return fresh;
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
