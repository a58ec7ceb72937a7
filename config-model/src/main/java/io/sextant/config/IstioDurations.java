package io.sextant.config;

import io.sextant.config.yaml.YamlObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Istio's YAML writes them: protobuf's seconds with a fraction ({@code 0.5s}), or Go's
 * units, one or more ({@code 250ms}, {@code 1m30s}, {@code 2h}).
 */
final class IstioDurations {
  private static final Pattern WHOLE = Pattern.compile("((\\d+(\\.\\d+)?)(h|m|s|ms|us|µs|ns))+");
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");

  private IstioDurations() {}

  /** The duration at {@code key}, at least {@code min}; a located error otherwise. */
  static Optional<Duration> read(YamlObject o, String key, Duration min) {
    Optional<String> text = o.string(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String t = text.get().trim();
    if (!WHOLE.matcher(t).matches()) {
      o.error(key, "expected a duration such as 0.5s, 250ms or 1m30s, got '" + text.get() + "'");
      return Optional.empty();
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher m = PART.matcher(t);
    while (m.find()) {
      BigDecimal n = new BigDecimal(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "h" -> 3_600_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "s" -> 1_000_000_000L;
            case "ms" -> 1_000_000L;
            case "us", "µs" -> 1_000L;
            default -> 1L;
          };
      nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
    }
    Duration d = Duration.ofNanos(nanos.min(BigDecimal.valueOf(Long.MAX_VALUE)).longValue());
    if (d.compareTo(min) < 0) {
      o.error(key, "must be at least " + min.toMillis() + "ms, got '" + text.get() + "'");
      return Optional.empty();
    }
    return Optional.of(d);
  }
}
