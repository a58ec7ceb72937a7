package io.sextant.config;

import io.sextant.config.yaml.YamlObject;
import java.util.Optional;

/** Istio's {@code Percent}: {@code {value: DOUBLE}}, from 0 to 100. */
final class Percentages {
  private Percentages() {}

  /** The percentage at {@code key} ({@code {value: 12.5}}), checked to lie in [0, 100]. */
  static Optional<Double> read(YamlObject o, String key) {
    return o.object(key)
        .flatMap(
            p -> {
              Optional<Double> value = number(p, "value");
              p.finish();
              return value;
            });
  }

  /** A number from 0 to 100 at {@code key}. */
  static Optional<Double> number(YamlObject o, String key) {
    Optional<String> text = o.string(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    double value;
    try {
      value = Double.parseDouble(text.get().trim());
    } catch (NumberFormatException e) {
      o.error(key, "expected a number from 0 to 100, got '" + text.get() + "'");
      return Optional.empty();
    }
    if (!(value >= 0 && value <= 100)) {
      o.error(key, "expected a percentage from 0 to 100, got " + text.get().trim());
      return Optional.empty();
    }
    return Optional.of(value);
  }
}
