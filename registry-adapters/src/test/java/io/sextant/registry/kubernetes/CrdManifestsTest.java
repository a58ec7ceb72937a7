package io.sextant.registry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CRDs shipped for clusters without Istio match what Sextant watches. */
class CrdManifestsTest {
  private final List<CustomResourceDefinition> crds = IstioCrds.load();

  @Test
  void everyWatchedKindHasACrd_inIstiosGroupAndNames() {
    assertThat(crds)
        .extracting(c -> c.getSpec().getNames().getKind())
        .containsExactlyInAnyOrder("VirtualService", "DestinationRule", "ServiceEntry", "Sidecar");
    assertThat(crds)
        .allSatisfy(
            c -> {
              assertThat(c.getSpec().getGroup()).isEqualTo(CustomResourceFeed.GROUP);
              assertThat(c.getSpec().getScope()).isEqualTo("Namespaced");
              assertThat(c.getMetadata().getName())
                  .isEqualTo(c.getSpec().getNames().getPlural() + ".networking.istio.io");
            });
  }

  @Test
  void everyCrdServesTheThreeIstioVersions_storingV1() {
    for (CustomResourceDefinition crd : crds) {
      assertThat(crd.getSpec().getVersions())
          .extracting(CustomResourceDefinitionVersion::getName)
          .containsExactlyInAnyOrder("v1", "v1beta1", "v1alpha3");
      assertThat(crd.getSpec().getVersions()).allMatch(CustomResourceDefinitionVersion::getServed);
      assertThat(crd.getSpec().getVersions())
          .filteredOn(CustomResourceDefinitionVersion::getStorage)
          .extracting(CustomResourceDefinitionVersion::getName)
          .containsExactly("v1");
    }
  }

  /**
   * Fields Sextant does not support must reach it, to be rejected by name; an API server would
   * otherwise prune them and the rule would silently mean something else.
   */
  @Test
  void specKeepsUnknownFields() {
    for (CustomResourceDefinition crd : crds) {
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        var spec = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getXKubernetesPreserveUnknownFields())
            .as("%s %s spec", crd.getMetadata().getName(), v.getName())
            .isTrue();
      }
    }
  }
}
