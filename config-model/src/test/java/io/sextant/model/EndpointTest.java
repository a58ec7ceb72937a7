package io.sextant.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointTest {
  private final Endpoint fromConsul =
      new Endpoint(
          "10.0.0.1",
          80,
          80,
          Map.of("version", "v1"),
          Locality.UNKNOWN,
          HealthStatus.HEALTHY,
          1,
          "consul");

  @Test
  void subsetSelectors_matchLabels_andTheRegistryAsAnImplicitLabel() {
    assertThat(fromConsul.matches(Map.of("version", "v1"))).isTrue();
    assertThat(fromConsul.matches(Map.of("version", "v2"))).isFalse();
    assertThat(fromConsul.matches(Map.of(Endpoint.ORIGIN_LABEL, "consul", "version", "v1")))
        .isTrue();
    assertThat(fromConsul.matches(Map.of(Endpoint.ORIGIN_LABEL, "cluster"))).isFalse();
  }
}
