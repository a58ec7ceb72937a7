package io.sextant.config.networking;

import java.util.Objects;

/**
 * A copy of a route's requests sent, fire-and-forget, to another destination (Istio's {@code
 * mirror}/{@code mirrorPercentage} or one of {@code mirrors}).
 *
 * @param destination where the copies go
 * @param percent the share of requests copied, 0 to 100
 */
public record Mirror(Destination destination, double percent) {
  public Mirror {
    Objects.requireNonNull(destination, "destination");
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent out of range: " + percent);
    }
  }
}
