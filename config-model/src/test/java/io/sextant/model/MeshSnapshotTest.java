package io.sextant.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.fixtures.Services;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshSnapshotTest {
  private static MeshSnapshot of(List<MeshService> services) {
    return MeshSnapshot.of(1, services, List.of(), List.of(), MeshSettings.DEFAULT);
  }

  private static List<String> endpointCounts(MeshSnapshot mesh) {
    return mesh.services().values().stream()
        .map(s -> s.hostname() + "=" + s.endpoints().size())
        .toList();
  }

  @Test
  void servicesInHostnameOrder_areFoundByHostname_andKeepTheirOrder() {
    MeshService a = Services.http("a.default.svc.cluster.local", 80).endpoints(1).build();
    MeshService b = Services.http("b.default.svc.cluster.local", 80).endpoints(2).build();
    MeshService c = Services.http("c.default.svc.cluster.local", 80).endpoints(3).build();

    MeshSnapshot mesh = of(List.of(a, b, c));

    assertThat(mesh.services().keySet())
        .containsExactly(
            "a.default.svc.cluster.local",
            "b.default.svc.cluster.local",
            "c.default.svc.cluster.local");
    assertThat(mesh.service("b.default.svc.cluster.local")).contains(b);
    assertThat(mesh.service("d.default.svc.cluster.local")).isEmpty();
    assertThat(mesh.services().headMap("b.default.svc.cluster.local"))
        .containsOnlyKeys(a.hostname());
  }

  @Test
  void servicesInAnyOrder_giveTheSameSnapshot_asTheSameServicesSorted() {
    MeshService a = Services.http("a.default.svc.cluster.local", 80).endpoints(1).build();
    MeshService b = Services.http("b.default.svc.cluster.local", 80).endpoints(2).build();
    MeshService c = Services.http("c.default.svc.cluster.local", 80).endpoints(3).build();

    assertThat(of(List.of(c, a, b)).services()).isEqualTo(of(List.of(a, b, c)).services());
    assertThat(endpointCounts(of(List.of(c, a, b))))
        .containsExactly(
            "a.default.svc.cluster.local=1",
            "b.default.svc.cluster.local=2",
            "c.default.svc.cluster.local=3");
  }

  @Test
  void aHostnameGivenTwice_keepsTheLastService() {
    MeshService first = Services.http("a.default.svc.cluster.local", 80).endpoints(1).build();
    MeshService second = Services.http("a.default.svc.cluster.local", 80).endpoints(4).build();
    MeshService b = Services.http("b.default.svc.cluster.local", 80).endpoints(2).build();

    assertThat(endpointCounts(of(List.of(first, second, b))))
        .containsExactly("a.default.svc.cluster.local=4", "b.default.svc.cluster.local=2");
  }
}
