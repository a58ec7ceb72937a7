package io.sextant.server.xds;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One ADS stream, state-of-the-world or delta. Per type it remembers what it subscribes to, which
 * snapshot it last sent from, and whether a response is waiting for its ACK. At most one response
 * per type is in flight: changes that arrive meanwhile are sent, merged, when the ACK comes.
 *
 * <p>Every method runs under the stream's own lock: gRPC delivers requests on its threads, the push
 * thread delivers snapshots.
 */
abstract class XdsStream {
  /**
   * Subscriptions are shared: the thousands of sidecars of a mesh mostly ask for the very same
   * cluster names, so one set object serves them all.
   */
  private static final Interner<Set<String>> SUBSCRIPTIONS = Interners.newWeakInterner();

  /** Per-type protocol state. */
  static final class TypeState {
    boolean subscribed;
    boolean wildcard;
    Set<String> names = Set.of();

    /**
     * The names as last requested, encoded, to recognise an unchanged subscription without decoding
     * it (state of the world); shared by the streams that ask alike. Null: decode every time.
     */
    byte[] encodedNames;

    /** The snapshot the last response was computed from; null before the first. */
    GroupSnapshot sent;

    String sentNonce = "";

    /** The version of the last response actually written. */
    String sentVersion = "";

    boolean inFlight;

    /** Bytes of the response in flight, held from the send budget until its ACK. */
    long inFlightBytes;

    /** A response was due but did not fit the send budget. */
    boolean blocked;

    /** The subscription changed since the last response: full-state types resend everything. */
    boolean resubscribed;

    /** The version a reconnecting proxy said it holds, until the first response. */
    String heldVersion = "";

    /** Names to send at the next opportunity whether or not they changed. */
    final Set<String> force = new HashSet<>();
  }

  final long id;
  final XdsStreams streams;
  final ProxyTracker tracker;
  final ProxyConnection connection;
  final Map<XdsType, TypeState> types = new EnumMap<>(XdsType.class);
  private final StreamObserver<?> out;
  private String group;
  private long nonces;
  private boolean closed;

  XdsStream(
      long id, boolean delta, StreamObserver<?> out, XdsStreams streams, ProxyTracker tracker) {
    this.id = id;
    this.out = out;
    this.streams = streams;
    this.tracker = tracker;
    this.connection = tracker.opened(id, delta);
    for (XdsType t : XdsType.values()) {
      types.put(t, new TypeState());
    }
  }

  static Set<String> subscription(Set<String> names) {
    return SUBSCRIPTIONS.intern(Set.copyOf(names));
  }

  final boolean identified() {
    return group != null;
  }

  /** Learns who is on the other end from the first request; false (and closes) if nobody said. */
  final boolean identify(Node node) {
    if (group != null) {
      return true;
    }
    if (!connection.identify(node)) {
      fail(Status.INVALID_ARGUMENT.withDescription("the first request must carry a node"));
      return false;
    }
    group = connection.proxy().groupKey();
    streams.join(this, group);
    tracker.identified(connection);
    return true;
  }

  /** The snapshot this stream's group is served now, or null before the first. */
  final GroupSnapshot current() {
    return group == null ? null : streams.current(group);
  }

  final String nextNonce() {
    return Long.toString(++nonces);
  }

  /** Sends a new snapshot's changes, type by type, in the order Envoy wants them. */
  final synchronized void push(GroupSnapshot snapshot) {
    if (closed) {
      return;
    }
    for (XdsType type : XdsType.PUSH_ORDER) {
      TypeState s = types.get(type);
      if (!s.subscribed) {
        continue;
      }
      // With a response in flight, what changed goes out when its ACK comes.
      if (!s.inFlight) {
        send(type, snapshot, s.resubscribed);
      }
    }
  }

  /** Called by the send budget: sends what was held back for want of budget. */
  final synchronized void retry() {
    GroupSnapshot snapshot = current();
    if (closed || snapshot == null) {
      streams.budget.unreserve(this);
      return;
    }
    for (XdsType type : XdsType.PUSH_ORDER) {
      TypeState s = types.get(type);
      if (s.blocked && !s.inFlight) {
        s.blocked = false;
        send(type, snapshot, s.resubscribed);
      }
    }
    // Bytes reserved for a response that turned out not to be needed go back.
    streams.budget.unreserve(this);
  }

  /**
   * Sends what {@code type}'s subscribers need from {@code snapshot}; {@code full} also resends
   * everything a full-state type holds (its subscription changed).
   */
  abstract void send(XdsType type, GroupSnapshot snapshot, boolean full);

  /** Clusters whose definition changed need their endpoints again to finish warming in Envoy. */
  final void forceEndpointsOfChangedClusters(GroupSnapshot snapshot, GroupSnapshot previous) {
    if (previous == null) {
      return;
    }
    TypeState eds = types.get(XdsType.EDS);
    for (String cluster : snapshot.changedSince(XdsType.CDS, previous)) {
      if (eds.names.contains(cluster) || eds.wildcard) {
        eds.force.add(cluster);
      }
    }
  }

  /**
   * Takes {@code bytes} from the send budget for a response of {@code type}; false (and the
   * response must not be sent) if it does not fit now, in which case it is retried later.
   */
  final boolean reserve(XdsType type, long bytes) {
    TypeState s = types.get(type);
    if (!streams.budget.acquire(this, bytes)) {
      s.blocked = true;
      return false;
    }
    s.inFlightBytes = bytes;
    return true;
  }

  /** The response of {@code type} was ACKed or NACKed: its bytes go back to the budget. */
  final void answered(XdsType type) {
    TypeState s = types.get(type);
    s.inFlight = false;
    streams.budget.release(s.inFlightBytes);
    s.inFlightBytes = 0;
  }

  @SuppressWarnings("unchecked")
  final <T> void write(T response) {
    try {
      ((StreamObserver<T>) out).onNext(response);
    } catch (RuntimeException e) {
      // The call was cancelled under us; onError will follow and close the stream.
      closed = true;
    } catch (OutOfMemoryError e) {
      // No room for the response in gRPC's (direct) buffers. The stream now believes a response
      // is in flight that was never sent, and would wait for its ACK forever: end it, and the
      // proxy reconnects and is sent its whole configuration again.
      fail(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "the control plane ran out of memory sending a response; reconnect"));
    }
  }

  final synchronized void fail(Status status) {
    if (!closed) {
      closed = true;
      out.onError(status.asRuntimeException());
      release();
    }
  }

  /** The client went away: forget the stream. */
  final synchronized void closed(String how) {
    if (!closed) {
      closed = true;
      try {
        out.onCompleted();
      } catch (RuntimeException alreadyClosed) {
        // nothing to complete
      }
    }
    release();
    tracker.closed(connection, how);
  }

  private void release() {
    if (group != null) {
      streams.leave(this, group);
    }
    for (TypeState s : types.values()) {
      streams.budget.release(s.inFlightBytes);
      s.inFlightBytes = 0;
    }
    streams.budget.forget(this);
  }
}
