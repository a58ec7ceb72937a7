package io.sextant.server.xds;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How often one HTTP/2 connection may send the frames that cost the server work and the client next
 * to nothing: PINGs and SETTINGS (each answered, and a client that sends them without reading the
 * answers makes them pile up in the server's memory) and RST_STREAMs (each stream opened and reset
 * at once is a stream set up and torn down, the "rapid reset" attack; a stream the server refuses
 * for being past its limit counts as one). A connection past any limit is closed with GOAWAY
 * ENHANCE_YOUR_CALM.
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

  /** The window within which RST_STREAM and SETTINGS frames are counted. */
  static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);

  static final int SETTINGS_PER_WINDOW = 100;

  private final LongSupplier nanoTime;
  private final long epoch;
  private long lastWelcomePing;
  private int pingStrikes;
  private final Counter resets;
  private final Counter settings;

  FloodLimits(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.epoch = nanoTime.getAsLong();
    this.lastWelcomePing = epoch;
    this.resets = new Counter(RESETS_PER_WINDOW, epoch);
    this.settings = new Counter(SETTINGS_PER_WINDOW, epoch);
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

  /**
   * A RST_STREAM arrived, or the server refused a stream past its limit: false once more than 200
   * came within 30 s.
   */
  boolean resetAllowed() {
    return resets.count(nanoTime.getAsLong());
  }

  /**
   * A SETTINGS frame (not an ACK) arrived: false once more than 100 came within 30 s. Clients send
   * one when they connect and, like grpc-java's with its window tuning, a few more later.
   */
  boolean settingsAllowed() {
    return settings.count(nanoTime.getAsLong());
  }

  /** Counts events in windows of 30 s that start with the first event after the last window. */
  private static final class Counter {
    private final int limit;
    private long windowStart;
    private int count;

    Counter(int limit, long start) {
      this.limit = limit;
      this.windowStart = start;
    }

    boolean count(long now) {
      if (now - windowStart >= WINDOW_NANOS) {
        windowStart = now;
        count = 0;
      }
      return ++count <= limit;
    }
  }
}
