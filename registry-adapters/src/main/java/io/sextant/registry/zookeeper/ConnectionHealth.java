package io.sextant.registry.zookeeper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the registry's connection to ZooKeeper is up. Once it has been down for {@code
 * staleAfter}, the connection counts as unreachable (and the registry as stale) until it is back.
 * It is down from {@link #start()} until the first connection.
 */
final class ConnectionHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionHealth.class);

  private final String source;
  private final String connectString;
  private final Duration staleAfter;
  private final Clock clock;
  private final BooleanSupplier serving;
  private final ScheduledExecutorService timer;

  // Guarded by this.
  private Instant downSince;
  private String cause = "";
  private Instant lastUp;
  private boolean unreachable;
  private long outages;

  /**
   * @param source the registry's name, for the log
   * @param serving true once the registry serves a state, which an outage then makes stale
   */
  ConnectionHealth(
      String source,
      String connectString,
      Duration staleAfter,
      Clock clock,
      BooleanSupplier serving) {
    this.source = source;
    this.connectString = connectString;
    this.staleAfter = staleAfter;
    this.clock = clock;
    this.serving = serving;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sextant-zk-" + source);
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts the clock of the first connection. */
  void start() {
    down("not connected yet");
  }

  /** The connection is down; the first call of an outage starts its clock. */
  synchronized void down(String why) {
    cause = why;
    if (downSince == null) {
      downSince = clock.instant();
      if (lastUp != null) {
        lastUp = downSince;
      }
      schedule(++outages);
    }
  }

  /**
   * The connection is up.
   *
   * @return how long it was down, empty when it was not
   */
  synchronized Optional<Duration> up() {
    Instant now = clock.instant();
    lastUp = now;
    if (downSince == null) {
      return Optional.empty();
    }
    Duration outage = Duration.between(downSince, now);
    downSince = null;
    unreachable = false;
    return Optional.of(outage);
  }

  private void schedule(long outage) {
    timer.schedule(() -> expire(outage), staleAfter.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void expire(long outage) {
    if (outage != outages || downSince == null) {
      return; // that outage is over
    }
    unreachable = true;
    if (serving.getAsBoolean()) {
      log.warn(
          "{}: ZooKeeper {} unreachable since {} ({}); stale, serving the last known state",
          source,
          connectString,
          downSince,
          cause);
    } else {
      log.warn(
          "{}: cannot reach ZooKeeper {} since {} ({}); nothing is served until it can",
          source,
          connectString,
          downSince,
          cause);
    }
  }

  /** True when the connection has been down for at least {@code staleAfter}. */
  synchronized boolean unreachable() {
    return unreachable;
  }

  /** What is wrong, for the source's status; empty while reachable. */
  synchronized Optional<String> problem() {
    return unreachable
        ? Optional.of("ZooKeeper unreachable since " + downSince + " (" + cause + ")")
        : Optional.empty();
  }

  /** The last moment the connection was known to be up: now while it is; empty before it was. */
  synchronized Optional<Instant> lastUp() {
    return downSince == null ? Optional.of(clock.instant()) : Optional.ofNullable(lastUp);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
