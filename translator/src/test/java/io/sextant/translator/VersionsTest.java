package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.translator.envoy.Clusters;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionsTest {

  @Test
  void equalResources_builtSeparately_haveEqualVersions() {
    assertThat(Versions.of(Clusters.eds("outbound|80||a", true)))
        .isEqualTo(Versions.of(Clusters.eds("outbound|80||a", true)))
        .hasSize(16);
  }

  @Test
  void anyDifference_changesTheVersion() {
    assertThat(Versions.of(Clusters.eds("outbound|80||a", true)))
        .isNotEqualTo(Versions.of(Clusters.eds("outbound|80||a", false)));
  }

  @Test
  void setVersions_dependOnNamesAndVersions() {
    Map<String, String> a = new LinkedHashMap<>(Map.of("x", "1"));
    Map<String, String> b = new LinkedHashMap<>(Map.of("x", "2"));
    Map<String, String> c = new LinkedHashMap<>(Map.of("y", "1"));

    assertThat(Versions.ofAll(a)).isNotEqualTo(Versions.ofAll(b)).isNotEqualTo(Versions.ofAll(c));
    assertThat(Versions.ofAll(a)).isEqualTo(Versions.ofAll(new LinkedHashMap<>(Map.of("x", "1"))));
  }
}
