package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.sextant.config.networking.VirtualService;
import io.sextant.fixtures.Rules;
import io.sextant.fixtures.Services;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MeshTranslation#after}: a rule change carries over the layers that do not depend on what
 * changed, and the result is exactly what a fresh translation gives.
 */
class RuleChangeTranslationTest {
  private static final String REVIEWS = "reviews.shop.svc.cluster.local";
  private static final String RATINGS = "ratings.shop.svc.cluster.local";

  private static String split(int v1) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          http:
          - route:
            - {destination: {host: reviews, subset: v1}, weight: %d}
            - {destination: {host: reviews, subset: v2}, weight: %d}
        """
        .formatted(v1, 100 - v1);
  }

  private static MeshService[] services(String ratingsAddress) {
    return new MeshService[] {
      Services.http(REVIEWS, 9080)
          .namespace("shop")
          .endpoint("10.0.0.1", e -> e.label("version", "v1"))
          .endpoint("10.0.0.2", e -> e.label("version", "v2"))
          .build(),
      Services.http(RATINGS, 9080).namespace("shop").endpoint(ratingsAddress, e -> {}).build()
    };
  }

  /** A NONE-mode sidecar without INSTANCE_IPS: its inbound layer reports that. */
  private static ProxyContext reviewsSidecar() {
    return ProxyContext.fromNode(
        Node.newBuilder()
            .setId("reviews-1.shop")
            .setCluster("reviews")
            .setMetadata(
                Struct.newBuilder()
                    .putFields("NAMESPACE", Value.newBuilder().setStringValue("shop").build())
                    .putFields(
                        "INTERCEPTION_MODE", Value.newBuilder().setStringValue("NONE").build()))
            .build());
  }

  private static int v1Weight(ProxyLayers p) {
    return routeConfig(p, "9080").getVirtualHostsList().stream()
        .filter(v -> v.getName().startsWith(REVIEWS))
        .findFirst()
        .orElseThrow()
        .getRoutes(0)
        .getRoute()
        .getWeightedClusters()
        .getClusters(0)
        .getWeight()
        .getValue();
  }

  @Test
  void virtualServiceChange_keepsInboundEndpointsAndClusters_recomputesRoutes() {
    ProxyContext proxy = reviewsSidecar();
    MeshTranslation before = MeshTranslation.of(Rules.mesh(split(90), services("10.0.1.1")));
    ProxyLayers old = before.forProxy(proxy);
    MeshSnapshot changed = Rules.mesh(split(50), services("10.0.1.1"));

    MeshTranslation after = MeshTranslation.after(before, changed);
    ProxyLayers now = after.forProxy(proxy);

    assertThat(v1Weight(old)).isEqualTo(90);
    assertThat(v1Weight(now)).isEqualTo(50);
    assertThat(now.clusters()).containsExactlyElementsOf(old.clusters()); // the same objects
    assertThat(now.endpoints()).containsExactlyElementsOf(old.endpoints());
    assertThat(old.clusters()).anySatisfy(l -> assertThat(l.key()).startsWith("cds/inbound/"));
    assertThat(now.routes().get(0)).isNotSameAs(old.routes().get(0));
    // The inbound layer's diagnostic is still reported, although the layer was not recomputed.
    assertThat(after.diagnostics())
        .extracting(Diagnostic::message)
        .anySatisfy(m -> assertThat(m).contains("without INSTANCE_IPS"));
    assertThat(now.flatten()).isEqualTo(Translator.translate(changed, proxy).resources());
  }

  @Test
  void layersNoLongerRetained_areNotCarriedOver() {
    ProxyContext proxy = reviewsSidecar();
    MeshTranslation before = MeshTranslation.of(Rules.mesh(split(90), services("10.0.1.1")));
    ProxyLayers old = before.forProxy(proxy);
    Layer inbound =
        old.clusters().stream()
            .filter(l -> l.key().startsWith("cds/inbound/"))
            .findFirst()
            .orElseThrow();
    Set<String> stillUsed = new HashSet<>();
    old.clusters().forEach(l -> stillUsed.add(l.key()));
    stillUsed.remove(inbound.key()); // as if that workload's proxies had all gone

    before.retainLayers(stillUsed);
    ProxyLayers now =
        MeshTranslation.after(before, Rules.mesh(split(50), services("10.0.1.1"))).forProxy(proxy);

    assertThat(now.clusters()).doesNotContain(inbound);
    assertThat(now.clusters().get(0)).isSameAs(old.clusters().get(0));
  }

  @Test
  void serviceChange_recomputesEveryLayer() {
    ProxyContext proxy = reviewsSidecar();
    MeshTranslation before = MeshTranslation.of(Rules.mesh(split(90), services("10.0.1.1")));
    ProxyLayers old = before.forProxy(proxy);

    ProxyLayers now =
        MeshTranslation.after(before, Rules.mesh(split(90), services("10.0.1.9"))).forProxy(proxy);

    assertThat(now.listeners()).doesNotContainAnyElementsOf(old.listeners());
    assertThat(now.clusters()).doesNotContainAnyElementsOf(old.clusters());
    assertThat(now.endpoints()).doesNotContainAnyElementsOf(old.endpoints());
  }

  @Test
  void destinationRuleChange_recomputesClustersAndEndpoints_butKeepsInbound() {
    ProxyContext proxy = reviewsSidecar();
    MeshTranslation before = MeshTranslation.of(Rules.mesh(split(90), services("10.0.1.1")));
    ProxyLayers old = before.forProxy(proxy);
    MeshSnapshot changed =
        Rules.mesh(
            split(90).replace("  - {name: v2, labels: {version: v2}}\n", ""), services("10.0.1.1"));

    MeshTranslation after = MeshTranslation.after(before, changed);
    ProxyLayers now = after.forProxy(proxy);

    assertThat(now.clusters().get(0)).isNotSameAs(old.clusters().get(0));
    assertThat(now.endpoints().get(0)).isNotSameAs(old.endpoints().get(0));
    Layer inbound =
        old.clusters().stream()
            .filter(l -> l.key().startsWith("cds/inbound/"))
            .findFirst()
            .orElseThrow();
    assertThat(now.clusters()).contains(inbound);
    assertThat(now.flatten()).isEqualTo(Translator.translate(changed, proxy).resources());
    assertThat(new HashSet<>(after.diagnostics()))
        .isEqualTo(new HashSet<>(Translator.translate(changed, proxy).diagnostics()));
  }

  /**
   * Every golden case, reached by a rule change from the same services without any rules, gives
   * exactly the fresh translation: the same resources and the same diagnostics.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.sextant.translator.GoldenTest#cases")
  void afterARuleChange_everyGoldenCaseIsWhatAFreshTranslationGives(Path input) throws Exception {
    GoldenCase c = GoldenCase.load(input);
    MeshSnapshot mesh = c.mesh();
    MeshSnapshot withoutRules =
        MeshSnapshot.of(
            0,
            mesh.services().values(),
            List.of(),
            List.of(),
            mesh.settings(),
            List.of(),
            List.of());
    MeshTranslation before = MeshTranslation.of(withoutRules);
    before.forProxy(c.proxy());
    // Twice: from no rules to the case's, then from the case's to the same again.
    MeshTranslation once = MeshTranslation.after(before, mesh);
    once.forProxy(c.proxy());
    MeshTranslation twice = MeshTranslation.after(once, mesh);

    Translation fresh = Translator.translate(mesh, c.proxy());
    for (MeshTranslation t : List.of(once, twice)) {
      assertThat(t.forProxy(c.proxy()).flatten()).isEqualTo(fresh.resources());
      assertThat(new HashSet<>(t.diagnostics())).isEqualTo(new HashSet<>(fresh.diagnostics()));
    }
  }

  /** {@code mesh} without its VirtualService number {@code i}. */
  private static MeshSnapshot withoutVirtualService(MeshSnapshot mesh, int i) {
    List<VirtualService> rules = new ArrayList<>(mesh.virtualServices());
    rules.remove(i);
    return MeshSnapshot.of(
        mesh.generation(),
        mesh.services().values(),
        rules,
        mesh.destinationRules(),
        mesh.settings(),
        mesh.rateLimits(),
        mesh.sidecars());
  }

  /**
   * Every golden case, reached by adding or removing one of its VirtualServices, gives exactly the
   * fresh translation: the ports that VirtualService does not name keep their route configurations,
   * the others are rebuilt.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.sextant.translator.GoldenTest#cases")
  void afterOneVirtualServiceChanges_everyGoldenCaseIsWhatAFreshTranslationGives(Path input)
      throws Exception {
    GoldenCase c = GoldenCase.load(input);
    MeshSnapshot mesh = c.mesh();
    for (int i = 0; i < mesh.virtualServices().size(); i++) {
      MeshSnapshot without = withoutVirtualService(mesh, i);
      for (MeshSnapshot[] step :
          List.of(new MeshSnapshot[] {without, mesh}, new MeshSnapshot[] {mesh, without})) {
        MeshTranslation before = MeshTranslation.of(step[0]);
        before.forProxy(c.proxy());
        MeshTranslation after = MeshTranslation.after(before, step[1]);

        Translation fresh = Translator.translate(step[1], c.proxy());
        String what =
            mesh.virtualServices().get(i).meta().name() + (step[1] == mesh ? " added" : " removed");
        assertThat(after.forProxy(c.proxy()).flatten()).as(what).isEqualTo(fresh.resources());
        assertThat(new HashSet<>(after.diagnostics()))
            .as(what)
            .isEqualTo(new HashSet<>(fresh.diagnostics()));
      }
    }
  }

  @Test
  void virtualServiceChange_rebuildsOnlyThePortsOfTheHostsItNames() {
    ProxyContext proxy = reviewsSidecar();
    MeshService details =
        Services.http("details.shop.svc.cluster.local", 8000)
            .namespace("shop")
            .endpoint("10.0.2.1", e -> {})
            .build();
    MeshService[] before = services("10.0.1.1");
    MeshService[] all = {before[0], before[1], details};
    MeshTranslation first = MeshTranslation.of(Rules.mesh(split(90), all));
    ProxyLayers old = first.forProxy(proxy);

    ProxyLayers now = MeshTranslation.after(first, Rules.mesh(split(50), all)).forProxy(proxy);

    assertThat(v1Weight(now)).isEqualTo(50);
    assertThat(routeConfig(now, "9080")).isNotEqualTo(routeConfig(old, "9080"));
    assertThat(routeConfig(now, "8000")).isSameAs(routeConfig(old, "8000"));
  }

  private static RouteConfiguration routeConfig(ProxyLayers layers, String name) {
    return layers.routes().stream()
        .flatMap(l -> l.resources().stream())
        .map(RouteConfiguration.class::cast)
        .filter(rc -> rc.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
