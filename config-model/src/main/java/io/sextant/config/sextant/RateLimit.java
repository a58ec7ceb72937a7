package io.sextant.config.sextant;

import io.sextant.config.ConfigResource;
import io.sextant.config.ResourceMeta;
import io.sextant.config.networking.HttpMatchRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Sextant's {@code RateLimit} ({@code sextant.io/v1alpha1}): a local token bucket, in each calling
 * proxy, for the requests to one host. Istio has no first-class API for it.
 *
 * @param host the host whose requests are limited, as written (short names allowed)
 * @param match the requests limited; empty means every request to the host
 * @param tokensPerFill tokens added every {@code fillInterval}
 * @param fillInterval how often tokens are added
 * @param maxTokens the bucket's size, and the tokens it starts with
 * @param statusCode what limited requests receive
 */
public record RateLimit(
    ResourceMeta meta,
    String host,
    Optional<HttpMatchRequest> match,
    int tokensPerFill,
    Duration fillInterval,
    int maxTokens,
    int statusCode)
    implements ConfigResource {
  public static final String API_VERSION = "sextant.io/v1alpha1";
  public static final String KIND = "RateLimit";
  public static final int DEFAULT_STATUS = 429;

  public RateLimit {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(fillInterval, "fillInterval");
  }
}
