package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.fixtures.Rules;
import io.sextant.fixtures.Services;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSnapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MeshTranslationTest {
  private static final String REVIEWS = "reviews.shop.svc.cluster.local";
  private static final String RATINGS = "ratings.shop.svc.cluster.local";

  private static ProxyContext sidecar(String id, String service, String namespace) {
    return ProxyContext.fromNode(
        Node.newBuilder()
            .setId(id)
            .setCluster(service)
            .setMetadata(
                com.google.protobuf.Struct.newBuilder()
                    .putFields(
                        "NAMESPACE",
                        com.google.protobuf.Value.newBuilder().setStringValue(namespace).build()))
            .build());
  }

  private static MeshSnapshot mesh(String reviewsSecondAddress) {
    return Rules.mesh(
        Services.http(REVIEWS, 9080)
            .namespace("shop")
            .endpoint("10.0.0.1", e -> e.label("version", "v1"))
            .endpoint(reviewsSecondAddress, e -> e.label("version", "v2"))
            .build(),
        Services.http(RATINGS, 9080).namespace("shop").endpoints(2).build());
  }

  @Test
  void workloadsInOneNamespace_shareEveryLayerButTheirInboundOnes() {
    MeshTranslation t = MeshTranslation.of(mesh("10.0.0.2"));

    ProxyLayers reviews = t.forProxy(sidecar("reviews-1", "reviews", "shop"));
    ProxyLayers ratings = t.forProxy(sidecar("ratings-1", "ratings", "shop"));

    assertThat(reviews.routes()).isEqualTo(ratings.routes());
    assertThat(reviews.endpoints()).isEqualTo(ratings.endpoints());
    assertThat(reviews.clusters().get(0)).isSameAs(ratings.clusters().get(0));
    assertThat(reviews.listeners().get(0)).isSameAs(ratings.listeners().get(0));
    assertThat(reviews.listeners().get(1)).isNotSameAs(ratings.listeners().get(1));
  }

  @Test
  void anotherNamespace_getsItsOwnRoutes_becauseShortNamesDiffer() {
    MeshTranslation t = MeshTranslation.of(mesh("10.0.0.2"));

    ProxyLayers shop = t.forProxy(sidecar("a", "reviews", "shop"));
    ProxyLayers web = t.forProxy(sidecar("b", "frontend", "web"));

    assertThat(shop.routes().get(0)).isNotSameAs(web.routes().get(0));
    assertThat(shop.endpoints().get(0)).isSameAs(web.endpoints().get(0));
  }

  @Test
  void layersFlattened_areExactlyWhatTheTranslatorGivesOneProxy() {
    MeshSnapshot mesh = mesh("10.0.0.2");
    ProxyContext proxy = sidecar("reviews-1", "reviews", "shop");

    assertThat(MeshTranslation.of(mesh).forProxy(proxy).flatten())
        .isEqualTo(Translator.translate(mesh, proxy).resources());
  }

  @Test
  void endpointChange_recomputesOnlyThatHostsAssignments_andKeepsEveryOtherLayer() {
    MeshTranslation before = MeshTranslation.of(mesh("10.0.0.2"));
    ProxyContext proxy = sidecar("reviews-1", "reviews", "shop");
    ProxyLayers old = before.forProxy(proxy);
    MeshSnapshot changed = mesh("10.0.0.9");

    MeshTranslation after = MeshTranslation.endpointsChanged(before, changed, Set.of(REVIEWS));
    ProxyLayers now = after.forProxy(proxy);

    assertThat(now.flatten()).isEqualTo(Translator.translate(changed, proxy).resources());
    assertThat(now.clusters()).isEqualTo(old.clusters());
    assertThat(now.routes()).isEqualTo(old.routes());
    assertThat(now.listeners()).isEqualTo(old.listeners());
    Object unchangedRatings =
        old.endpoints().get(0).resources().stream()
            .filter(c -> c.toString().contains(RATINGS))
            .findFirst()
            .orElseThrow();
    assertThat(now.endpoints().get(0).resources())
        .anySatisfy(c -> assertThat(c).isSameAs(unchangedRatings));
  }

  @Test
  void endpointChange_ofAHostThatEndsAnotherHostsName_leavesTheOtherHostsAssignment() {
    String views = "views.shop.svc.cluster.local"; // REVIEWS ends with it
    MeshSnapshot first =
        Rules.mesh(
            Services.http(REVIEWS, 9080).namespace("shop").endpoints(2).build(),
            Services.http(views, 9080).namespace("shop").endpoints(1).build());
    MeshSnapshot second =
        Rules.mesh(
            Services.http(REVIEWS, 9080).namespace("shop").endpoints(2).build(),
            Services.http(views, 9080).namespace("shop").endpoints(3).build());
    ProxyContext proxy = sidecar("reviews-1", "reviews", "shop");
    MeshTranslation before = MeshTranslation.of(first);
    List<?> old = before.forProxy(proxy).endpoints().get(0).resources();

    MeshTranslation after = MeshTranslation.endpointsChanged(before, second, Set.of(views));
    List<?> now = after.forProxy(proxy).endpoints().get(0).resources();

    assertThat(after.forProxy(proxy).flatten())
        .isEqualTo(Translator.translate(second, proxy).resources());
    assertThat(now).hasSameSizeAs(old);
    assertThat(now.get(0)).isSameAs(old.get(0)); // reviews' assignment, first by name
    assertThat(now.get(1)).isNotEqualTo(old.get(1)); // views', with three endpoints now
  }

  /** Services {@code host}.shop.svc.cluster.local, each with {@code endpoints} endpoints. */
  private static MeshSnapshot shopMesh(List<String> hosts, int endpoints) {
    return Rules.mesh(
        hosts.stream()
            .map(h -> Services.http(h + ".shop.svc.cluster.local", 9080).namespace("shop"))
            .map(s -> s.endpoints(endpoints).build())
            .toArray(MeshService[]::new));
  }

  @Test
  void endpointChange_ofManyHostsAtOnce_replacesExactlyThoseHostsAssignments() {
    List<String> hosts = List.of("a", "b", "c", "d", "e", "views", "reviews");
    MeshSnapshot first = shopMesh(hosts, 1);
    MeshSnapshot second = shopMesh(hosts, 2);
    ProxyContext proxy = sidecar("reviews-1", "reviews", "shop");
    Set<String> changed = new HashSet<>();
    for (String h : hosts.subList(0, 6)) { // all but reviews, whose name ends in "views..."
      changed.add(h + ".shop.svc.cluster.local");
    }
    MeshTranslation before = MeshTranslation.of(first);
    before.forProxy(proxy);

    MeshTranslation after = MeshTranslation.endpointsChanged(before, second, changed);

    List<?> now = after.forProxy(proxy).endpoints().get(0).resources();
    assertThat(now).hasSize(hosts.size());
    assertThat(now.stream().filter(c -> c.toString().contains("10.0.0.2")).count())
        .isEqualTo(6); // the changed hosts' second endpoint; reviews' assignment is as before
  }

  /**
   * Each namespace has its own route configurations, but hosts whose routes do not depend on the
   * namespace share one virtual host: what a namespace sees through exportTo, what a route matches
   * on the source, and each namespace's short names must still come out as for that proxy alone.
   */
  @Test
  void proxiesOfSeveralNamespacesInOneTranslation_eachGetWhatTheyWouldGetAlone() {
    String rules =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews-shop-only, namespace: shop}
        spec:
          hosts: [reviews.shop.svc.cluster.local]
          exportTo: ["."]
          http:
          - route:
            - destination: {host: reviews.shop.svc.cluster.local}
            timeout: 3s
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings-by-caller, namespace: shop}
        spec:
          hosts: [ratings.shop.svc.cluster.local]
          http:
          - match:
            - sourceNamespace: web
            route:
            - destination: {host: ratings.shop.svc.cluster.local}
            timeout: 7s
          - route:
            - destination: {host: nowhere.shop.svc.cluster.local}
        """;
    MeshSnapshot mesh =
        Rules.mesh(
            rules,
            Services.http(REVIEWS, 9080).namespace("shop").endpoints(2).build(),
            Services.http(RATINGS, 9080).namespace("shop").endpoints(2).build(),
            Services.http("frontend.web.svc.cluster.local", 9080)
                .namespace("web")
                .endpoints(1)
                .build());
    List<ProxyContext> proxies =
        List.of(
            sidecar("frontend-1", "frontend", "web"),
            sidecar("reviews-1", "reviews", "shop"),
            sidecar("other-1", "other", "other"),
            sidecar("ratings-1", "ratings", "shop"));
    MeshTranslation shared = MeshTranslation.of(mesh);

    for (ProxyContext proxy : proxies) {
      assertThat(shared.forProxy(proxy).flatten())
          .as(proxy.id())
          .isEqualTo(Translator.translate(mesh, proxy).resources());
    }
    String shopRoutes = shared.forProxy(proxies.get(1)).routes().get(0).resources().toString();
    String webRoutes = shared.forProxy(proxies.get(0)).routes().get(0).resources().toString();
    assertThat(shopRoutes).contains("seconds: 3").doesNotContain("seconds: 7");
    assertThat(webRoutes).contains("seconds: 7").doesNotContain("seconds: 3");
  }

  /**
   * A virtual host built for one namespace and reused by another reports its diagnostics in both,
   * so a later rule change that keeps the second namespace's route configuration still reports
   * them.
   */
  @Test
  void
      aSharedVirtualHostsDiagnostic_isStillReportedWhenOnlyTheNamespaceThatReusedItIsCarriedOver() {
    String broken =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings, namespace: shop}
        spec:
          hosts: [ratings.shop.svc.cluster.local]
          http:
          - route:
            - destination: {host: nowhere.shop.svc.cluster.local}
        """;
    String unrelated =
        """
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: other-port, namespace: shop}
        spec:
          hosts: [payments.shop.svc.cluster.local]
          http:
          - route:
            - destination: {host: payments.shop.svc.cluster.local}
            timeout: 2s
        """;
    MeshService reviews = Services.http(REVIEWS, 9080).namespace("shop").endpoints(1).build();
    MeshService ratings = Services.http(RATINGS, 9080).namespace("shop").endpoints(1).build();
    MeshService payments =
        Services.http("payments.shop.svc.cluster.local", 8080)
            .namespace("shop")
            .endpoints(1)
            .build();
    ProxyContext web = sidecar("frontend-1", "frontend", "web");
    ProxyContext shop = sidecar("reviews-1", "reviews", "shop");
    MeshTranslation before = MeshTranslation.of(Rules.mesh(broken, reviews, ratings, payments));
    before.forProxy(web); // builds the virtual host and reports its diagnostic
    before.forProxy(shop); // reuses it
    Set<String> shopLayers = new HashSet<>();
    before.forProxy(shop).byType().forEach(layers -> layers.forEach(l -> shopLayers.add(l.key())));
    before.retainLayers(shopLayers); // the web proxy has gone

    MeshTranslation after =
        MeshTranslation.after(before, Rules.mesh(broken + unrelated, reviews, ratings, payments));
    after.forProxy(shop);

    assertThat(after.diagnostics())
        .extracting(Diagnostic::message)
        .anySatisfy(m -> assertThat(m).contains("nowhere.shop.svc.cluster.local"));
  }

  @Test
  void aNameDefinedByTwoLayers_isAViolation() {
    MeshTranslation t = MeshTranslation.of(mesh("10.0.0.2"));
    ProxyLayers p = t.forProxy(sidecar("reviews-1", "reviews", "shop"));
    ProxyLayers doubled =
        new ProxyLayers(
            p.listeners(),
            p.routes(),
            java.util.List.of(
                p.clusters().get(0), new Layer("copy", p.clusters().get(0).resources())),
            p.endpoints());

    assertThat(new SnapshotConsistency.Checker().check(doubled))
        .anyMatch(v -> v.contains("is defined by both cds/SIDECAR and copy"));
  }

  @Test
  void localityFailover_ranksEndpointsForTheProxysLocality_andAnEndpointChangeReranksThem() {
    String failover = reviewsLocalityRule("enabled: true");
    java.util.function.Function<String, MeshSnapshot> mesh =
        farAddress ->
            Rules.mesh(
                failover,
                Services.http(REVIEWS, 9080)
                    .namespace("shop")
                    .endpoint("10.0.0.1", e -> e.locality("east/east-1"))
                    .endpoint(farAddress, e -> e.locality("west/west-1"))
                    .build());
    ProxyContext east = sidecarIn("east", "east-1");
    ProxyContext west = sidecarIn("west", "west-1");
    MeshTranslation before = MeshTranslation.of(mesh.apply("10.0.0.2"));

    assertThat(east.groupKey()).isNotEqualTo(west.groupKey());
    assertThat(firstPriorityAddress(before.forProxy(east))).isEqualTo("10.0.0.1");
    assertThat(firstPriorityAddress(before.forProxy(west))).isEqualTo("10.0.0.2");

    MeshSnapshot changed = mesh.apply("10.0.0.9");
    MeshTranslation after = MeshTranslation.endpointsChanged(before, changed, Set.of(REVIEWS));
    assertThat(firstPriorityAddress(after.forProxy(west))).isEqualTo("10.0.0.9");
    assertThat(after.forProxy(west).flatten())
        .isEqualTo(Translator.translate(changed, west).resources());
  }

  @Test
  void failoverPriority_ranksTheSameEndpointsByEachSidecarsLabels_andSplitsLayersOnlyForThem() {
    MeshTranslation t =
        MeshTranslation.of(
            Rules.mesh(reviewsLocalityRule("failoverPriority: [version]"), versionedReviews()));
    ProxyContext v1 = labelled("a", Map.of("version", "v1", "pod", "a"));
    ProxyContext v1Elsewhere = labelled("b", Map.of("version", "v1", "pod", "b"));
    ProxyContext v2 = labelled("c", Map.of("version", "v2"));

    assertThat(firstPriorityAddress(t.forProxy(v1))).isEqualTo("10.0.0.1");
    assertThat(firstPriorityAddress(t.forProxy(v2))).isEqualTo("10.0.0.2");
    // A label that no failoverPriority names does not split the endpoints.
    assertThat(t.forProxy(v1Elsewhere).endpoints().get(0))
        .isSameAs(t.forProxy(v1).endpoints().get(0));

    // Without failoverPriority, differently labelled sidecars in one locality share endpoints.
    MeshTranslation failoverOnly =
        MeshTranslation.of(Rules.mesh(reviewsLocalityRule("enabled: true"), versionedReviews()));
    assertThat(failoverOnly.forProxy(v2).endpoints().get(0))
        .isSameAs(failoverOnly.forProxy(v1).endpoints().get(0));
  }

  /** A DestinationRule for reviews with outlier detection and {@code setting} for locality. */
  private static String reviewsLocalityRule(String setting) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy:
            outlierDetection: {consecutive5xxErrors: 5}
            loadBalancer: {localityLbSetting: {%s}}
        """
        .formatted(setting);
  }

  private static io.sextant.model.MeshService versionedReviews() {
    return Services.http(REVIEWS, 9080)
        .namespace("shop")
        .endpoint("10.0.0.1", e -> e.locality("east/east-1").label("version", "v1"))
        .endpoint("10.0.0.2", e -> e.locality("east/east-1").label("version", "v2"))
        .build();
  }

  private static ProxyContext labelled(String id, Map<String, String> labels) {
    return new ProxyContext(
        "productpage-" + id,
        ProxyKind.SIDECAR,
        "productpage",
        "shop",
        labels,
        java.util.List.of(),
        InterceptionMode.REDIRECT,
        io.sextant.model.Locality.parse("east/east-1"));
  }

  private static ProxyContext sidecarIn(String region, String zone) {
    return ProxyContext.fromNode(
        Node.newBuilder()
            .setId("productpage." + zone)
            .setCluster("productpage")
            .setLocality(
                io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                    .setRegion(region)
                    .setZone(zone))
            .build());
  }

  private static String firstPriorityAddress(ProxyLayers layers) {
    var cla =
        (io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment)
            layers.endpoints().get(0).resources().get(0);
    return cla.getEndpointsList().stream()
        .filter(l -> l.getPriority() == 0)
        .findFirst()
        .orElseThrow()
        .getLbEndpoints(0)
        .getEndpoint()
        .getAddress()
        .getSocketAddress()
        .getAddress();
  }
}
