package io.sextant.e2e;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for an asynchronous effect with a generous deadline; never asserts on time itself. */
final class Poll {
  static final Duration DEADLINE = Duration.ofSeconds(20);

  private Poll() {}

  static void until(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "gave up after " + DEADLINE.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
