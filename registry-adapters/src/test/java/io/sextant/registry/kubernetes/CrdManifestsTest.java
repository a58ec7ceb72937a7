package io.sextant.registry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CRDs shipped for clusters without Istio, and for RateLimit, match what Sextant watches. */
class CrdManifestsTest {
  /** What Sextant's {@code kubernetes} registries and rule sources watch. */
  private static final List<CustomResourceGroup> WATCHED =
      List.of(
          CustomResourceGroup.istio("VirtualService", "DestinationRule", "ServiceEntry", "Sidecar"),
          CustomResourceGroup.sextant());

  private final List<CustomResourceDefinition> crds = IstioCrds.load();

  private static CustomResourceGroup watchedGroup(CustomResourceDefinition crd) {
    return WATCHED.stream()
        .filter(g -> g.name().equals(crd.getSpec().getGroup()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("unwatched group " + crd.getSpec().getGroup()));
  }

  @Test
  void everyWatchedKindHasACrd_namedAfterItsPluralAndGroup() {
    assertThat(crds)
        .extracting(c -> c.getSpec().getNames().getKind())
        .containsExactlyInAnyOrderElementsOf(
            WATCHED.stream().flatMap(g -> g.kinds().stream()).toList());
    assertThat(crds)
        .allSatisfy(
            c -> {
              assertThat(watchedGroup(c).kinds()).contains(c.getSpec().getNames().getKind());
              assertThat(c.getSpec().getScope()).isEqualTo("Namespaced");
              assertThat(c.getMetadata().getName())
                  .isEqualTo(c.getSpec().getNames().getPlural() + "." + c.getSpec().getGroup());
            });
  }

  @Test
  void everyCrdServesTheVersionsSextantReads_storingThePreferredOne() {
    for (CustomResourceDefinition crd : crds) {
      CustomResourceGroup group = watchedGroup(crd);
      assertThat(crd.getSpec().getVersions())
          .extracting(CustomResourceDefinitionVersion::getName)
          .containsExactlyInAnyOrderElementsOf(group.versions());
      assertThat(crd.getSpec().getVersions()).allMatch(CustomResourceDefinitionVersion::getServed);
      assertThat(crd.getSpec().getVersions())
          .filteredOn(CustomResourceDefinitionVersion::getStorage)
          .extracting(CustomResourceDefinitionVersion::getName)
          .containsExactly(group.versions().get(0));
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
