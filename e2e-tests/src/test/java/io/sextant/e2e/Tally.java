package io.sextant.e2e;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Counts which backend answered each of a series of calls. */
final class Tally {
  private Tally() {}

  static Map<String, Integer> of(int calls, Supplier<String> call) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < calls; i++) {
      counts.merge(call.get(), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Calls until {@code quiet} consecutive answers satisfy {@code settled}; returns the time from
   * {@code sinceNanos} to the last answer that did not, i.e. when the client stopped seeing the old
   * configuration (0 if it never did).
   */
  static long millisUntilSettled(
      long sinceNanos, int quiet, Supplier<String> call, Predicate<String> settled) {
    long lastUnsettled = sinceNanos;
    int streak = 0;
    long deadline = sinceNanos + Poll.DEADLINE.toNanos();
    while (streak < quiet) {
      String who = call.get();
      if (settled.test(who)) {
        streak++;
      } else {
        streak = 0;
        lastUnsettled = System.nanoTime();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "traffic did not settle within " + Poll.DEADLINE.toSeconds() + " s");
      }
    }
    return (lastUnsettled - sinceNanos) / 1_000_000;
  }

  /** Calls until an answer satisfies {@code wanted}; returns the time from {@code sinceNanos}. */
  static long millisUntilSeen(long sinceNanos, Supplier<String> call, Predicate<String> wanted) {
    long deadline = sinceNanos + Poll.DEADLINE.toNanos();
    while (!wanted.test(call.get())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the wanted answer did not come within " + Poll.DEADLINE.toSeconds() + " s");
      }
    }
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }
}
