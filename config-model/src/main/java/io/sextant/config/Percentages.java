package io.sextant.config;

import io.sextant.config.yaml.YamlObject;
import java.util.Optional;

/** Istio's {@code Percent}: {@code {value: 0.0 to 100.0}}. */
final class Percentages {
  private Percentages() {}

  /** The percentage at {@code key}, written as {@code {value: N}}; located errors otherwise. */
  static Optional<Double> read(YamlObject o, String key) {
    return o.object(key)
        .flatMap(
            p -> {
              Optional<Double> value = p.decimal("value", 0, 100);
              p.finish();
              return value.or(() -> Optional.of(0.0));
            });
  }
}
