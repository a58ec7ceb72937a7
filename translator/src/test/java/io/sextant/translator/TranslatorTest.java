package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.fixtures.Rules;
import io.sextant.fixtures.Services;
import io.sextant.model.HealthStatus;
import io.sextant.model.MeshSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TranslatorTest {
  private static final ProxyContext SIDECAR =
      ProxyContext.fromNode(Node.newBuilder().setId("app-1").setCluster("app").build());

  private static MeshSnapshot mesh(HealthStatus secondEndpoint) {
    return Rules.mesh(
        Services.http("reviews.default.svc.cluster.local", 9080)
            .endpoint("10.0.0.1", e -> {})
            .endpoint("10.0.0.2", e -> e.health(secondEndpoint))
            .build(),
        Services.tcp("db.default.svc.cluster.local", 5432).endpoints(1).build());
  }

  private static Map<String, String> versions(XdsResources r) {
    Map<String, String> v = new LinkedHashMap<>();
    r.listeners().forEach(l -> v.put("L " + l.getName(), Versions.of(l)));
    r.routes().forEach(x -> v.put("R " + x.getName(), Versions.of(x)));
    r.clusters().forEach(x -> v.put("C " + x.getName(), Versions.of(x)));
    r.endpoints().forEach(x -> v.put("E " + x.getClusterName(), Versions.of(x)));
    return v;
  }

  @Test
  void translatingTheSameMeshTwice_givesIdenticalVersions() {
    assertThat(versions(Translator.translate(mesh(HealthStatus.HEALTHY), SIDECAR).resources()))
        .isEqualTo(versions(Translator.translate(mesh(HealthStatus.HEALTHY), SIDECAR).resources()));
  }

  @Test
  void anEndpointTurningUnhealthy_changesOnlyItsAssignment() {
    Map<String, String> before =
        versions(Translator.translate(mesh(HealthStatus.HEALTHY), SIDECAR).resources());
    Map<String, String> after =
        versions(Translator.translate(mesh(HealthStatus.UNHEALTHY), SIDECAR).resources());

    Map<String, String> changed = new LinkedHashMap<>(after);
    changed.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
    assertThat(changed.keySet())
        .containsExactly("E outbound|9080||reviews.default.svc.cluster.local");
  }

  @Test
  void endpointsAlone_equalTheEndpointsOfAFullTranslation() {
    MeshSnapshot mesh = mesh(HealthStatus.HEALTHY);

    assertThat(Translator.endpoints(mesh))
        .containsExactlyElementsOf(Translator.translate(mesh, SIDECAR).resources().endpoints());
  }
}
