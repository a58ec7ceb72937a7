package io.sextant.registry.consul;

import com.ecwid.consul.v1.OperationException;
import io.sextant.config.ConfigError;
import io.sextant.config.SourceLocation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of a registry's requests to Consul are failing, and since when. The registry is stale once
 * some request has kept failing for {@code staleAfter} after the first sync, and current again when
 * every failing request has succeeded once more (each success is a fresh answer, so the state is
 * then current).
 *
 * <p>Logs one line when requests start failing, one more if the error changes, one when the
 * registry turns stale, and one when Consul answers again: never one per retry.
 */
final class Connectivity {
  private static final Logger log = LoggerFactory.getLogger(Connectivity.class);

  private final String registry;
  private final String address;
  private final Duration staleAfter;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final BooleanSupplier synced;

  // Guarded by this.
  private final Map<Object, String> failing = new HashMap<>();
  private Instant downSince;
  private String lastError = "";
  private String lastLogged = "";

  Connectivity(
      String registry,
      String address,
      Duration staleAfter,
      Clock clock,
      ScheduledExecutorService timer,
      BooleanSupplier synced) {
    this.registry = registry;
    this.address = address;
    this.staleAfter = staleAfter;
    this.clock = clock;
    this.timer = timer;
    this.synced = synced;
  }

  /** A request of {@code watch} failed; it will be retried. */
  synchronized void failed(Object watch, String what, String error) {
    boolean first = failing.isEmpty();
    failing.put(watch, what);
    lastError = what + ": " + error;
    if (first) {
      downSince = clock.instant();
      Instant outage = downSince;
      try {
        timer.schedule(() -> checkStale(outage), staleAfter.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        return; // the registry is closing
      }
      log.warn(
          "{}: Consul request failed ({}): {}; retrying with backoff, the last known state is"
              + " served meanwhile",
          registry,
          what,
          error);
      lastLogged = error;
    } else if (!error.equals(lastLogged)) {
      log.warn("{}: Consul request failed ({}): {}; retrying with backoff", registry, what, error);
      lastLogged = error;
    } else {
      log.debug("{}: still failing ({}): {}", registry, what, error);
    }
  }

  /** A request of {@code watch} succeeded. */
  synchronized void succeeded(Object watch) {
    if (failing.remove(watch) != null && failing.isEmpty()) {
      recovered();
    }
  }

  /**
   * {@code watch} ended (its service or datacenter left, or the registry closed): its failures no
   * longer count, and nothing is logged about it.
   */
  synchronized void forget(Object watch) {
    if (failing.remove(watch) != null && failing.isEmpty()) {
      downSince = null;
      lastError = "";
      lastLogged = "";
    }
  }

  private void recovered() {
    Instant now = clock.instant();
    boolean wasStale = synced.getAsBoolean() && !now.isBefore(downSince.plus(staleAfter));
    log.info(
        "{}: Consul answers again after {} ms{}; the blocking queries resync",
        registry,
        Duration.between(downSince, now).toMillis(),
        wasStale ? ", no longer stale" : "");
    downSince = null;
    lastError = "";
    lastLogged = "";
  }

  private synchronized void checkStale(Instant outage) {
    if (!outage.equals(downSince)) {
      return; // that outage ended
    }
    if (synced.getAsBoolean()) {
      log.warn(
          "{}: Consul requests failing since {} ({}); marked stale, serving the last known state",
          registry,
          downSince,
          lastError);
    } else {
      log.warn(
          "{}: Consul requests failing since {} ({}); not synced yet",
          registry,
          downSince,
          lastError);
    }
  }

  /** Stale: synced, and some request has been failing for at least {@code staleAfter}. */
  synchronized boolean stale() {
    return synced.getAsBoolean()
        && downSince != null
        && !clock.instant().isBefore(downSince.plus(staleAfter));
  }

  /** The error to report: while stale, or while failing before the first sync. */
  synchronized List<ConfigError> errors() {
    if (downSince == null || (synced.getAsBoolean() && !stale())) {
      return List.of();
    }
    return List.of(
        new ConfigError(
            new SourceLocation(address, 0, 0),
            "",
            "Consul requests failing since " + downSince + ": " + lastError));
  }

  /** Now while every request succeeds; the start of the outage while some fail. */
  synchronized Optional<Instant> lastSync() {
    if (!synced.getAsBoolean()) {
      return Optional.empty();
    }
    return Optional.of(downSince == null ? clock.instant() : downSince);
  }

  /** A failure as an operator reads it: Consul's status and message, or the network error. */
  static String describe(Throwable e) {
    if (e instanceof OperationException op) {
      String content = op.getStatusContent() == null ? "" : op.getStatusContent().strip();
      return "HTTP " + op.getStatusCode() + (content.isEmpty() ? "" : ": " + content);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
