package io.sextant.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.networking.VirtualService;
import io.sextant.model.MeshSnapshot;
import io.sextant.translator.MeshTranslation;
import io.sextant.translator.ProxyContext;
import io.sextant.translator.Translator;
import org.junit.jupiter.api.Test;

class MeshSnapshotsTest {
  private static final MeshSpec MESH = new MeshSpec(12, 2, 4, 3, MeshSpec.COMMON_PORTS);

  /** What JMH's oneRuleChange translates: the rule churn's change, and nothing else. */
  @Test
  void routeRenamed_changesThatVirtualServiceOnly_andATranslationAfterItSeesTheNewName() {
    MeshSnapshot mesh = MeshSnapshots.of(MESH);
    MeshSnapshot renamed = MeshSnapshots.withRouteRenamed(mesh, MESH, 2, 7);

    assertThat(renamed.virtualServices()).hasSameSizeAs(mesh.virtualServices());
    for (int i = 0; i < mesh.virtualServices().size(); i++) {
      VirtualService before = mesh.virtualServices().get(i);
      VirtualService after = renamed.virtualServices().get(i);
      if (before.meta().name().equals(MESH.name(2))) {
        assertThat(after.http().get(0).name()).isEqualTo(MeshFiles.routeName(7));
        assertThat(before.http().get(0).name()).isNotEqualTo(MeshFiles.routeName(7));
      } else {
        assertThat(after).isSameAs(before);
      }
    }
    assertThat(renamed.services()).isEqualTo(mesh.services());

    ProxyContext proxy = ProxyContext.fromNode(ProxyNodes.sidecar(0, MESH, 0));
    MeshTranslation previous = MeshTranslation.of(mesh);
    previous.forProxy(proxy);
    assertThat(MeshTranslation.after(previous, renamed).forProxy(proxy).flatten())
        .isEqualTo(Translator.translate(renamed, proxy).resources());
  }
}
