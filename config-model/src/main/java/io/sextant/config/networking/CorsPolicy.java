package io.sextant.config.networking;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Istio's {@code CorsPolicy}: how a route answers cross-origin requests and preflights.
 *
 * @param allowOrigins origins allowed to call (the deprecated {@code allowOrigin} strings appear
 *     here as exact matches)
 * @param allowMethods methods a preflight may allow ({@code Access-Control-Allow-Methods})
 * @param allowHeaders request headers a preflight may allow
 * @param exposeHeaders response headers browsers may show to scripts
 * @param maxAge how long browsers may cache a preflight's answer
 * @param allowCredentials whether credentialed requests are allowed
 * @param unmatchedPreflights what to do with preflights from origins not allowed: forward them
 *     upstream (Istio's and Envoy's default) or answer them without CORS headers
 */
public record CorsPolicy(
    List<StringMatch> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    Optional<Duration> maxAge,
    Optional<Boolean> allowCredentials,
    Optional<UnmatchedPreflights> unmatchedPreflights) {
  public CorsPolicy {
    allowOrigins = List.copyOf(allowOrigins);
    allowMethods = List.copyOf(allowMethods);
    allowHeaders = List.copyOf(allowHeaders);
    exposeHeaders = List.copyOf(exposeHeaders);
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(allowCredentials, "allowCredentials");
    Objects.requireNonNull(unmatchedPreflights, "unmatchedPreflights");
  }

  /** Istio's {@code CorsPolicy.UnmatchedPreflights}. */
  public enum UnmatchedPreflights {
    FORWARD,
    IGNORE
  }
}
