package io.sextant.server.xds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A cap on the bytes of responses sent but not yet ACKed, across all streams. When thousands of
 * proxies connect at once, each wants megabytes; written all at once they would sit in network
 * buffers faster than proxies read them. A response holds its size from sending until its ACK (or
 * NACK, or the stream's end).
 *
 * <p>Streams that do not fit wait in line, first come first served. When bytes come back, the
 * budget reserves them for the streams at the head of the line and only then wakes those streams,
 * so a woken stream's response fits: no stream builds a response it cannot send. One response
 * larger than the whole cap is let through when nothing else is in flight.
 *
 * @param <S> what waits in line: a stream
 */
final class SendBudget<S> {
  private record Waiter<S>(S stream, long bytes) {}

  private final long capacity;
  private final Consumer<S> wake;
  private final Executor wakeUps;
  private final Queue<Waiter<S>> waiting = new ArrayDeque<>();

  /**
   * The streams in {@link #waiting}, by identity: with thousands in line, asking the queue itself
   * whether a stream is already in it was a scan per refused acquire.
   */
  private final Set<S> inLine = Collections.newSetFromMap(new IdentityHashMap<>());

  private final Map<S, Long> reserved = new HashMap<>();
  private long inFlight;

  /** A budget of {@code capacity} bytes that wakes streams on a thread of its own. */
  static SendBudget<XdsStream> forStreams(long capacity) {
    return new SendBudget<>(
        capacity,
        XdsStream::retry,
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sextant-send-budget");
              t.setDaemon(true);
              return t;
            }));
  }

  /**
   * @param wake called, on {@code wakeUps}, for a stream whose bytes are now reserved; it should
   *     call {@link #acquire} again (which takes the reservation) and then {@link #unreserve}
   */
  SendBudget(long capacity, Consumer<S> wake, Executor wakeUps) {
    this.capacity = capacity;
    this.wake = wake;
    this.wakeUps = wakeUps;
  }

  /**
   * Takes {@code bytes} for {@code stream} if they fit (using what was reserved for it); otherwise
   * puts it in line to be woken with {@code bytes} reserved, and returns false.
   */
  synchronized boolean acquire(S stream, long bytes) {
    // Usually nothing is reserved for anyone. Then the stream is not hashed: the caller holds its
    // monitor, and the identity hash of a locked object is computed the slow way, in the JVM.
    Long r = reserved.isEmpty() ? null : reserved.remove(stream);
    long held = r == null ? 0 : r;
    long extra = bytes - held;
    boolean first = held > 0 || waiting.isEmpty();
    if (first && (extra <= 0 || inFlight + extra <= capacity || inFlight - held == 0)) {
      inFlight += extra; // a smaller response than reserved gives the rest back
      return true;
    }
    inFlight -= held;
    if (inLine.add(stream)) {
      waiting.add(new Waiter<>(stream, bytes));
    }
    return false;
  }

  /** Gives back {@code bytes}; streams at the head of the line that now fit are woken. */
  void release(long bytes) {
    if (bytes == 0) {
      return;
    }
    List<S> woken = new ArrayList<>();
    synchronized (this) {
      inFlight -= bytes;
      while (!waiting.isEmpty()) {
        Waiter<S> w = waiting.peek();
        if (inFlight > 0 && inFlight + w.bytes() > capacity) {
          break;
        }
        waiting.poll();
        inLine.remove(w.stream());
        inFlight += w.bytes();
        reserved.merge(w.stream(), w.bytes(), Long::sum);
        woken.add(w.stream());
      }
    }
    if (!woken.isEmpty()) {
      wakeUps.execute(() -> woken.forEach(wake));
    }
  }

  /** A stream ended: whatever was reserved for it goes back, and it leaves the line. */
  void forget(S stream) {
    synchronized (this) {
      if (inLine.remove(stream)) {
        waiting.removeIf(w -> w.stream() == stream);
      }
    }
    unreserve(stream);
  }

  /** Gives back what was reserved for {@code stream} and not used. */
  void unreserve(S stream) {
    long held;
    synchronized (this) {
      Long r = reserved.remove(stream);
      held = r == null ? 0 : r;
    }
    release(held);
  }

  synchronized long inFlight() {
    return inFlight;
  }
}
