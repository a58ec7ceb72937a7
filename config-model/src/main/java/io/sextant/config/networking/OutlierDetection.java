package io.sextant.config.networking;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Istio's {@code OutlierDetection}: hosts that fail repeatedly are ejected from the pool for a
 * while. Unset fields keep Envoy's defaults, as in Istio.
 *
 * @param minHealthPercent Envoy's panic threshold; Istio sets it to 0 when unset
 */
public record OutlierDetection(
    OptionalInt consecutive5xxErrors,
    OptionalInt consecutiveGatewayErrors,
    OptionalInt consecutiveLocalOriginFailures,
    boolean splitExternalLocalOriginErrors,
    Optional<Duration> interval,
    Optional<Duration> baseEjectionTime,
    OptionalInt maxEjectionPercent,
    int minHealthPercent) {
  public OutlierDetection {
    Objects.requireNonNull(consecutive5xxErrors, "consecutive5xxErrors");
    Objects.requireNonNull(consecutiveGatewayErrors, "consecutiveGatewayErrors");
    Objects.requireNonNull(consecutiveLocalOriginFailures, "consecutiveLocalOriginFailures");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
    Objects.requireNonNull(maxEjectionPercent, "maxEjectionPercent");
  }
}
