package io.sextant.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FloodLimitsTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final FloodLimits limits = new FloodLimits(now::get);

  private void after(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  @Test
  void aThirdPingTooSoon_isOneTooMany() {
    assertThat(limits.pingAllowed()).isTrue();
    assertThat(limits.pingAllowed()).isTrue();
    assertThat(limits.pingAllowed()).isFalse();
  }

  @Test
  void pingsTenSecondsApart_areAlwaysWelcome() {
    for (int i = 0; i < 10; i++) {
      after(10);
      assertThat(limits.pingAllowed()).as("ping %d", i).isTrue();
    }
  }

  @Test
  void pingsThatAnswerTheServersData_areForgiven() {
    // grpc-java's client pings to measure bandwidth whenever data arrives.
    for (int i = 0; i < 10; i++) {
      limits.serverSent();
      assertThat(limits.pingAllowed()).as("ping %d", i).isTrue();
    }
  }

  @Test
  void strikesLast_untilTheServerSendsSomething() {
    after(10);
    assertThat(limits.pingAllowed()).isTrue(); // welcome, and the clock starts again
    after(1);
    assertThat(limits.pingAllowed()).isTrue(); // strike 1
    after(10);
    assertThat(limits.pingAllowed()).isTrue(); // welcome again; strikes stay
    after(1);
    assertThat(limits.pingAllowed()).isTrue(); // strike 2
    assertThat(limits.pingAllowed()).isFalse(); // strike 3
  }

  @Test
  void resets_areCountedPerThirtySeconds() {
    for (int i = 0; i < FloodLimits.RESETS_PER_WINDOW; i++) {
      assertThat(limits.resetAllowed()).isTrue();
    }
    assertThat(limits.resetAllowed()).isFalse();
    after(30);
    assertThat(limits.resetAllowed()).as("a new window").isTrue();
  }

  @Test
  void settings_areCountedPerThirtySeconds_apartFromResets() {
    for (int i = 0; i < FloodLimits.SETTINGS_PER_WINDOW; i++) {
      assertThat(limits.settingsAllowed()).isTrue();
    }
    assertThat(limits.settingsAllowed()).isFalse();
    assertThat(limits.resetAllowed()).as("resets have a count of their own").isTrue();
    after(30);
    assertThat(limits.settingsAllowed()).as("a new window").isTrue();
  }
}
