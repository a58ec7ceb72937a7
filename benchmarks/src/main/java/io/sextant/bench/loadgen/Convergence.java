package io.sextant.bench.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;

/**
 * Tracks changes in flight: a change is made at a known instant and carries a marker a proxy can
 * recognise in what it receives (an endpoint port, a route name). A change has converged when every
 * proxy expected to get it (every proxy that imports the changed service) has received it and sent
 * its ACK; its convergence latency is the time from the change to the last of those ACKs. A proxy
 * that was not expected to get a change and receives it anyway is counted as an unexpected
 * delivery, also after the change has converged.
 */
final class Convergence {
  /** A change in flight. */
  static final class Change {
    final String kind;
    final String resource;
    final String marker;
    final long madeAtNanos;
    final int expected;
    final IntPredicate expects;

    /**
     * The marker as it appears on the wire, to find it without parsing: for rule changes the
     * route's name field, for endpoint changes the socket address's port field.
     */
    final byte[] pattern;

    final AtomicInteger seen = new AtomicInteger();
    final java.util.Set<Integer> seenBy = ConcurrentHashMap.newKeySet();
    volatile long lastAckNanos;
    volatile boolean superseded;

    Change(
        String kind,
        String resource,
        String marker,
        long madeAtNanos,
        int expected,
        IntPredicate expects) {
      this.kind = kind;
      this.resource = resource;
      this.marker = marker;
      this.madeAtNanos = madeAtNanos;
      this.expected = expected;
      this.expects = expects;
      this.pattern =
          kind.equals(LoadGenerator.ENDPOINT_CHANGE)
              ? Wire.portField(Integer.parseInt(marker))
              : Wire.routeNameField(marker);
    }

    boolean done() {
      return seen.get() >= expected;
    }

    double latencyMillis() {
      return (lastAckNanos - madeAtNanos) / 1e6;
    }
  }

  /** Changes not yet converged, by the resource they touch (cluster or virtual host). */
  private final Map<String, Change> pending = new ConcurrentHashMap<>();

  /**
   * The latest change to each resource, converged or not, that a proxy may still receive: the
   * pending ones, and since the last {@link #reset} the converged ones, which a proxy not expected
   * to get them must still not receive.
   */
  private final Map<String, Change> recent = new ConcurrentHashMap<>();

  private final List<Change> finished = new ArrayList<>();
  private final LongAdder unexpectedDeliveries = new LongAdder();
  private int superseded;

  boolean anyPending(String kind) {
    return any(pending, kind);
  }

  /** Whether some change of {@code kind} may still arrive somewhere. */
  boolean anyRecent(String kind) {
    return any(recent, kind);
  }

  private static boolean any(Map<String, Change> changes, String kind) {
    for (Change c : changes.values()) {
      if (c.kind.equals(kind)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The changes of {@code kind} proxy {@code proxy} may yet receive and that still matter: those it
   * is expected to get while they are pending, and all those it is not expected to get.
   */
  List<Change> watchedBy(int proxy, String kind) {
    List<Change> found = new ArrayList<>();
    for (Change c : recent.values()) {
      if (c.kind.equals(kind) && watches(c, proxy)) {
        found.add(c);
      }
    }
    return found;
  }

  /** The change to {@code resource} that proxy {@code proxy} may yet receive, or null. */
  Change watchedBy(int proxy, String resource, String kind) {
    Change c = recent.get(resource);
    return c != null && c.kind.equals(kind) && watches(c, proxy) ? c : null;
  }

  private static boolean watches(Change c, int proxy) {
    return !c.expects.test(proxy) || !c.done();
  }

  /**
   * Registers a change about to be made; a change still pending on the same resource is dropped.
   */
  synchronized Change start(
      String kind, String resource, String marker, int expected, IntPredicate expects) {
    Change c = new Change(kind, resource, marker, System.nanoTime(), expected, expects);
    recent.put(resource, c);
    Change old = pending.put(resource, c);
    if (old != null) {
      old.superseded = true;
      superseded++;
    }
    return c;
  }

  /**
   * Proxy {@code proxy} has ACKed a response carrying the markers of {@code changes}; if it was not
   * expected to get one of them, that response is an unexpected delivery.
   */
  void acked(List<Change> changes, int proxy, long ackNanos) {
    boolean unexpected = false;
    for (Change c : changes) {
      if (c.expects.test(proxy)) {
        acked(c, proxy, ackNanos);
      } else {
        unexpected = true;
      }
    }
    if (unexpected) {
      unexpectedDeliveries.increment();
    }
  }

  private void acked(Change change, int proxy, long ackNanos) {
    if (change.superseded || !change.seenBy.add(proxy)) {
      return;
    }
    synchronized (change) {
      if (ackNanos > change.lastAckNanos) {
        change.lastAckNanos = ackNanos;
      }
    }
    if (change.seen.incrementAndGet() == change.expected) {
      synchronized (this) {
        if (pending.remove(change.resource, change)) {
          finished.add(change);
        }
      }
    }
  }

  synchronized List<Change> finished(String kind) {
    return finished.stream().filter(c -> c.kind.equals(kind)).toList();
  }

  synchronized List<Change> unfinished(String kind) {
    return pending.values().stream().filter(c -> c.kind.equals(kind)).toList();
  }

  synchronized int superseded() {
    return superseded;
  }

  /** Responses that carried a marker to a proxy not expected to get it, since the last reset. */
  long unexpectedDeliveries() {
    return unexpectedDeliveries.sum();
  }

  /** Starts a new phase: forgets converged changes and the counts. */
  synchronized void reset() {
    finished.clear();
    superseded = 0;
    unexpectedDeliveries.reset();
    recent.values().removeIf(Change::done);
  }
}
