package io.sextant.registry;

import java.time.Duration;
import java.time.Instant;

/** Waits for what file watching does on its own thread, without asserting how long it takes. */
public final class Poll {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private Poll() {}

  /** Retries {@code assertion} until it passes; after the deadline, its last failure is thrown. */
  public static void until(Runnable assertion) {
    Instant deadline = Instant.now().plus(DEADLINE);
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (Instant.now().isAfter(deadline)) {
          throw e;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
  }
}
