package io.sextant.config;

import io.sextant.config.networking.HttpMatchRequest;
import io.sextant.config.sextant.RateLimit;
import io.sextant.config.yaml.YamlObject;
import java.time.Duration;
import java.util.Optional;

/** Reads the spec of Sextant's {@code RateLimit} ({@code sextant.io/v1alpha1}). */
final class RateLimitReader {
  /** Envoy refills token buckets at most every 50ms. */
  static final Duration MIN_FILL_INTERVAL = Duration.ofMillis(50);

  private RateLimitReader() {}

  static RateLimit read(ResourceMeta meta, YamlObject spec) {
    String host = spec.requiredString("host");
    if (!host.isEmpty()) {
      VirtualServiceReader.checkHost(spec, "host", host);
    }
    Optional<HttpMatchRequest> match =
        spec.object("match")
            .map(
                m -> {
                  // A limit is counted per calling proxy, for every caller alike.
                  m.unsupported("sourceLabels", "sourceNamespace");
                  return VirtualServiceReader.readMatch(m);
                });
    int tokens = spec.requiredInteger("tokensPerFill", 1, Integer.MAX_VALUE);
    Optional<Duration> interval = IstioDurations.read(spec, "fillInterval", MIN_FILL_INTERVAL);
    if (!spec.has("fillInterval")) {
      spec.error("fillInterval", "missing required field 'fillInterval'");
    }
    int maxTokens = spec.integer("maxTokens", 1, Integer.MAX_VALUE).orElse(tokens);
    if (spec.has("maxTokens") && maxTokens < tokens) {
      spec.error("maxTokens", "must be at least tokensPerFill (" + tokens + "), got " + maxTokens);
    }
    int status = spec.integer("statusCode", 400, 599).orElse(RateLimit.DEFAULT_STATUS);
    spec.finish();
    return new RateLimit(
        meta, host, match, tokens, interval.orElse(MIN_FILL_INTERVAL), maxTokens, status);
  }
}
