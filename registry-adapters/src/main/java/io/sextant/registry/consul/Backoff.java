package io.sextant.registry.consul;

import java.time.Duration;
import java.util.Random;

/**
 * Delays between retries of a failing request: exponential from 1 s to 30 s, each delay drawn
 * between half its nominal value and the nominal value (never below 1 s), so that the watches of a
 * registry that all failed together do not retry in step.
 */
final class Backoff {
  static final Duration INITIAL = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofSeconds(30);

  private final Random random;
  private int failures;

  Backoff(Random random) {
    this.random = random;
  }

  /** The delay before the next retry; each call counts one more failure. */
  Duration next() {
    long nominal = Math.min(MAX.toMillis(), INITIAL.toMillis() << Math.min(failures, 16));
    failures++;
    long half = nominal / 2;
    long drawn = half + (long) (random.nextDouble() * (nominal - half));
    return Duration.ofMillis(Math.max(INITIAL.toMillis(), drawn));
  }

  /** A request succeeded: the next failure starts again from 1 s. */
  void reset() {
    failures = 0;
  }
}
