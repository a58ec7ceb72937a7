package io.sextant.bench.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tracks changes in flight: a change is made at a known instant and carries a marker a proxy can
 * recognise in what it receives (an endpoint port, a route name). A change has converged when every
 * proxy watching it has received it and sent its ACK; its convergence latency is the time from the
 * change to the last of those ACKs.
 */
final class Convergence {
  /** A change in flight. */
  static final class Change {
    final String kind;
    final String resource;
    final String marker;
    final long madeAtNanos;
    final int expected;

    /**
     * The marker as it appears on the wire, to find it without parsing: for rule changes the
     * route's name field, for endpoint changes the socket address's port field.
     */
    final byte[] pattern;

    final AtomicInteger seen = new AtomicInteger();
    final java.util.Set<Integer> seenBy = ConcurrentHashMap.newKeySet();
    volatile long lastAckNanos;
    volatile boolean superseded;

    Change(String kind, String resource, String marker, long madeAtNanos, int expected) {
      this.kind = kind;
      this.resource = resource;
      this.marker = marker;
      this.madeAtNanos = madeAtNanos;
      this.expected = expected;
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

  /** Changes not yet converged, by the resource they touch (cluster or route configuration). */
  private final Map<String, Change> pending = new ConcurrentHashMap<>();

  private final List<Change> finished = new ArrayList<>();
  private int superseded;

  boolean anyPending(String kind) {
    for (Change c : pending.values()) {
      if (c.kind.equals(kind)) {
        return true;
      }
    }
    return false;
  }

  /** The pending changes of {@code kind}. */
  List<Change> pendingOf(String kind) {
    List<Change> found = new ArrayList<>();
    for (Change c : pending.values()) {
      if (c.kind.equals(kind)) {
        found.add(c);
      }
    }
    return found;
  }

  /** The pending change to {@code resource}, if any. */
  Change pending(String resource) {
    return pending.get(resource);
  }

  /**
   * Registers a change about to be made; a change still pending on the same resource is dropped.
   */
  synchronized Change start(String kind, String resource, String marker, int expected) {
    Change c = new Change(kind, resource, marker, System.nanoTime(), expected);
    Change old = pending.put(resource, c);
    if (old != null) {
      old.superseded = true;
      superseded++;
    }
    return c;
  }

  /** Proxy {@code proxy} has ACKed a response carrying {@code change}'s marker. */
  void acked(Change change, int proxy, long ackNanos) {
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

  synchronized void reset() {
    finished.clear();
    superseded = 0;
  }
}
