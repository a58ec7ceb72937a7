package io.sextant.registry.kubernetes;

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
 * Watches whether a set of informers is connected. Once they have been down for {@code staleAfter}
 * the source is stale; when they are all up again, {@code onRecovered} runs once (the source
 * relists there) and the source stays stale until it calls {@link #resynced()}.
 */
final class WatchHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WatchHealth.class);
  private static final long CHECK_MILLIS = 200;

  private final String source;
  private final Duration staleAfter;
  private final Clock clock;
  private final ScheduledExecutorService timer;

  private volatile Instant downSince;
  private volatile Instant lastUp;
  private volatile boolean stale;
  private volatile boolean recovering;
  private volatile String lastError = "";

  WatchHealth(String source, Duration staleAfter, Clock clock) {
    this.source = source;
    this.staleAfter = staleAfter;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sextant-k8s-" + source);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts checking {@code up} (true when every watch is open) once {@code synced} is true.
   *
   * @param onRecovered runs on the checking thread when the watches are back after an outage
   */
  void start(BooleanSupplier synced, BooleanSupplier up, Runnable onRecovered) {
    timer.scheduleWithFixedDelay(
        () -> check(synced, up, onRecovered), CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void check(BooleanSupplier synced, BooleanSupplier up, Runnable onRecovered) {
    if (!synced.getAsBoolean()) {
      return;
    }
    Instant now = clock.instant();
    if (up.getAsBoolean()) {
      lastUp = now;
      downSince = null;
      if (stale && !recovering) {
        recovering = true;
        log.info("{}: watches are back after an outage; relisting", source);
        onRecovered.run();
      }
      return;
    }
    if (downSince == null) {
      downSince = now;
    }
    if (!stale && !now.isBefore(downSince.plus(staleAfter))) {
      stale = true;
      log.warn(
          "{}: API server unreachable since {}{}; serving the last known state",
          source,
          downSince,
          lastError.isEmpty() ? "" : " (" + lastError + ")");
    }
  }

  /** The source has relisted after an outage: it is current again. */
  void resynced() {
    if (recovering) {
      recovering = false;
      stale = false;
    }
    lastUp = clock.instant();
  }

  /** An informer error; informers retry every error, so it is only remembered and logged once. */
  boolean onError(boolean isStarted, Throwable t) {
    String message = t.getClass().getSimpleName() + ": " + t.getMessage();
    if (!message.equals(lastError)) {
      log.warn("{}: watch error, retrying: {}", source, message);
    }
    lastError = message;
    return true;
  }

  boolean stale() {
    return stale;
  }

  String lastError() {
    return lastError;
  }

  void lastError(String message) {
    lastError = message;
  }

  Optional<Instant> lastSync() {
    return Optional.ofNullable(lastUp);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
