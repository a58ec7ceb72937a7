package io.sextant.server.xds;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How often one HTTP/2 connection may send the frames that cost the server work and the client next
 * to nothing: PINGs (each answered) and RST_STREAMs (each stream opened and reset at once is a
 * stream set up and torn down, the "rapid reset" attack). A connection past either limit is closed
 * with GOAWAY ENHANCE_YOUR_CALM.
 *
 * <p>Pings follow gRPC's keepalive enforcement, as Sextant configured grpc-java's server: a ping is
 * welcome once at least 10 s have passed since the last welcome one; sooner, it is a strike, and
 * the third strike ends the connection. Whenever the server sends headers or data the strikes are
 * forgiven (clients such as grpc-java's ping in answer to data, to measure bandwidth), and the next
 * ping is welcome if the connection is at least 10 s old. One client per connection (Envoy, or a
 * gRPC client) stays far within these limits.
 */
final class FloodLimits {
  static final long PING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  static final int PING_STRIKES = 2;
  static final int RESETS_PER_WINDOW = 200;
  static final long RESET_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final LongSupplier nanoTime;
  private final long epoch;
  private long lastWelcomePing;
  private int pingStrikes;
  private long resetWindowStart;
  private int resets;

  FloodLimits(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.epoch = nanoTime.getAsLong();
    this.lastWelcomePing = epoch;
    this.resetWindowStart = epoch;
  }

  /** A PING arrived: false once the connection pings too often. */
  boolean pingAllowed() {
    long now = nanoTime.getAsLong();
    if (now - lastWelcomePing >= PING_INTERVAL_NANOS) {
      lastWelcomePing = now;
      return true;
    }
    return ++pingStrikes <= PING_STRIKES;
  }

  /** The server sent headers or data on the connection. */
  void serverSent() {
    lastWelcomePing = epoch;
    pingStrikes = 0;
  }

  /** A RST_STREAM arrived: false once more than 200 came within 30 s. */
  boolean resetAllowed() {
    long now = nanoTime.getAsLong();
    if (now - resetWindowStart >= RESET_WINDOW_NANOS) {
      resetWindowStart = now;
      resets = 0;
    }
    return ++resets <= RESETS_PER_WINDOW;
  }
}
