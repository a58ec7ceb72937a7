package io.sextant.server.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for what the control plane does on its own threads. The deadline is generous because the
 * tests run on loaded machines; it bounds a wait, it is never the thing being tested.
 */
public final class Eventually {
  /** How long a positive wait may take before the test gives up. */
  public static final Duration DEADLINE = Duration.ofSeconds(10);

  /** How long a negative check watches for something that must not happen. */
  public static final Duration QUIET = Duration.ofSeconds(1);

  private Eventually() {}

  /** Re-runs {@code assertion} until it passes; past the deadline its last failure is thrown. */
  public static void holds(Runnable assertion) {
    holds(DEADLINE, assertion);
  }

  /** {@link #holds(Runnable)} with a deadline of its own, for slower things such as a new JVM. */
  public static void holds(Duration deadline, Runnable assertion) {
    long giveUpAt = System.nanoTime() + deadline.toNanos();
    for (AssertionError last = null; ; pause()) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        last = e;
      }
      if (System.nanoTime() - giveUpAt > 0) {
        throw last;
      }
    }
  }

  /** Waits until {@code condition} is true; past the deadline, fails saying what was awaited. */
  public static void until(String what, BooleanSupplier condition) {
    holds(
        () -> {
          if (!condition.getAsBoolean()) {
            throw new AssertionError("still waiting for " + what);
          }
        });
  }

  private static void pause() {
    try {
      Thread.sleep(25);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
