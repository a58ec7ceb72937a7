package io.sextant.config.networking;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Istio's {@code HTTPRetry}: how a failed request is tried again.
 *
 * @param attempts retries allowed after the first try; 0 turns retries off
 * @param perTryTimeout how long each try may take; empty for the route's timeout
 * @param retryOn Envoy and gRPC retry conditions, in the order written (status codes excluded)
 * @param statusCodes HTTP status codes written in {@code retryOn}
 * @param retryRemoteLocalities whether a retry may go to another locality's priority
 * @param ignorePreviousHosts whether a retry avoids the hosts already tried; empty for Istio's
 *     default (avoid them)
 * @param backoff the base interval between retries; empty for Envoy's 25 ms
 */
public record RetryPolicy(
    int attempts,
    Optional<Duration> perTryTimeout,
    List<String> retryOn,
    List<Integer> statusCodes,
    boolean retryRemoteLocalities,
    Optional<Boolean> ignorePreviousHosts,
    Optional<Duration> backoff) {
  public RetryPolicy {
    Objects.requireNonNull(perTryTimeout, "perTryTimeout");
    retryOn = List.copyOf(retryOn);
    statusCodes = List.copyOf(statusCodes);
    Objects.requireNonNull(ignorePreviousHosts, "ignorePreviousHosts");
    Objects.requireNonNull(backoff, "backoff");
  }

  /** Istio's retry conditions when {@code retryOn} is unset. */
  public static final List<String> DEFAULT_RETRY_ON =
      List.of(
          "connect-failure",
          "refused-stream",
          "unavailable",
          "cancelled",
          "retriable-status-codes");

  /**
   * What Istio applies when a route has no {@code retries}: two retries on connection failures,
   * refused streams and gRPC UNAVAILABLE/CANCELLED, avoiding hosts already tried.
   */
  public static final RetryPolicy ISTIO_DEFAULT =
      new RetryPolicy(
          2,
          Optional.empty(),
          DEFAULT_RETRY_ON,
          List.of(),
          false,
          Optional.empty(),
          Optional.empty());
}
