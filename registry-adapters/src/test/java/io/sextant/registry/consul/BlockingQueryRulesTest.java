package io.sextant.registry.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Consul's rules for blocking-query clients, and where requests go. */
class BlockingQueryRulesTest {

  @Test
  void nextIndex_followsConsul_resetsWhenItGoesBackwards_andIsNeverBelowOne() {
    assertThat(BlockingWatch.nextIndex(0, 120L)).isEqualTo(120);
    assertThat(BlockingWatch.nextIndex(120, 120L)).isEqualTo(120); // wait elapsed
    assertThat(BlockingWatch.nextIndex(120, 135L)).isEqualTo(135);
    assertThat(BlockingWatch.nextIndex(120, 7L)).isZero(); // Consul restored or rebuilt
    assertThat(BlockingWatch.nextIndex(0, 0L)).isEqualTo(1);
    assertThat(BlockingWatch.nextIndex(0, null)).isEqualTo(1);
  }

  @Test
  void backoff_growsFromOneSecondToThirtyWithJitter_andStartsOverAfterASuccess() {
    Backoff backoff = new Backoff(new Random(42));
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      delays.add(backoff.next());
    }

    assertThat(delays.get(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(delays.get(3)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
    assertThat(delays.subList(6, 12))
        .allSatisfy(d -> assertThat(d).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30)));
    assertThat(delays.subList(6, 12)).doesNotHaveDuplicates(); // jittered, not in step

    backoff.reset();
    assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void address_getsConsulsDefaultSchemeAndPorts() {
    assertThat(ConsulTransport.baseUrl("127.0.0.1:8500")).isEqualTo("http://127.0.0.1:8500");
    assertThat(ConsulTransport.baseUrl("http://consul.local"))
        .isEqualTo("http://consul.local:8500");
    assertThat(ConsulTransport.baseUrl("https://consul.local/"))
        .isEqualTo("https://consul.local:8501");
    assertThat(ConsulTransport.baseUrl("https://gw.example:443/consul/"))
        .isEqualTo("https://gw.example:443/consul");
    assertThatThrownBy(() -> ConsulTransport.baseUrl("ftp://consul.local"))
        .hasMessageContaining("http:// or https://");
  }
}
