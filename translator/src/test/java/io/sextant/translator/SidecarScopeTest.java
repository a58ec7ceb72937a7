package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.sextant.config.ResourceMeta;
import io.sextant.config.SourceLocation;
import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.Sidecar.EgressHost;
import io.sextant.config.networking.Sidecar.OutboundTrafficPolicy;
import io.sextant.fixtures.Rules;
import io.sextant.fixtures.Services;
import io.sextant.model.MeshSettings;
import io.sextant.model.MeshSnapshot;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SidecarScopeTest {
  private static final String REVIEWS = "reviews.shop.svc.cluster.local";
  private static final String RATINGS = "ratings.shop.svc.cluster.local";
  private static final String PAYMENTS = "payments.billing.svc.cluster.local";
  private static final String LEDGER = "ledger.billing.svc.cluster.local";

  private static final String RULES =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews, namespace: shop}
      spec:
        hosts: [reviews]
        http:
        - match: [{headers: {x-audit: {exact: "1"}}}]
          route: [{destination: {host: payments.billing.svc.cluster.local}}]
        - route: [{destination: {host: reviews}}]
      """;

  private static MeshSnapshot mesh(Sidecar... sidecars) {
    MeshSnapshot rules =
        Rules.mesh(
            RULES,
            Services.http(REVIEWS, 9080).namespace("shop").endpoints(2).build(),
            Services.http(RATINGS, 9080).namespace("shop").endpoints(2).build(),
            Services.http(PAYMENTS, 8080).namespace("billing").endpoints(2).build(),
            Services.tcp(LEDGER, 5432).namespace("billing").endpoints(1).build());
    return MeshSnapshot.of(
        1,
        rules.services().values(),
        rules.virtualServices(),
        rules.destinationRules(),
        MeshSettings.DEFAULT,
        List.of(),
        List.of(sidecars));
  }

  private static Sidecar sidecar(
      String namespace,
      String name,
      Map<String, String> selector,
      List<String> hosts,
      OutboundTrafficPolicy policy) {
    List<EgressHost> egress = new ArrayList<>();
    for (String h : hosts) {
      String[] parts = h.split("/", 2);
      egress.add(new EgressHost(parts[0].equals(".") ? namespace : parts[0], parts[1]));
    }
    return new Sidecar(
        new ResourceMeta(
            "networking.istio.io/v1",
            "Sidecar",
            name,
            namespace,
            Map.of(),
            new SourceLocation("sidecars.yaml", 1, 1)),
        selector,
        hosts.isEmpty() ? Optional.empty() : Optional.of(egress),
        Optional.ofNullable(policy));
  }

  private static Sidecar importing(String namespace, String... hosts) {
    return sidecar(namespace, "default", Map.of(), List.of(hosts), null);
  }

  private static ProxyContext proxy(String service, String namespace, Map<String, String> labels) {
    Struct.Builder labelStruct = Struct.newBuilder();
    labels.forEach(
        (k, v) -> labelStruct.putFields(k, Value.newBuilder().setStringValue(v).build()));
    return ProxyContext.fromNode(
        Node.newBuilder()
            .setId(service + "-1." + namespace)
            .setCluster(service)
            .setMetadata(
                Struct.newBuilder()
                    .putFields("NAMESPACE", Value.newBuilder().setStringValue(namespace).build())
                    .putFields("LABELS", Value.newBuilder().setStructValue(labelStruct).build()))
            .build());
  }

  private static ProxyContext proxy(String service, String namespace) {
    return proxy(service, namespace, Map.of("app", service));
  }

  private static List<String> outboundClusters(XdsResources r) {
    return r.clusters().stream()
        .map(Cluster::getName)
        .filter(n -> n.startsWith("outbound|"))
        .toList();
  }

  private static List<String> virtualHosts(XdsResources r) {
    return r.routes().stream()
        .flatMap(rc -> rc.getVirtualHostsList().stream())
        .map(VirtualHost::getName)
        .toList();
  }

  @Test
  void namespaceSidecar_limitsClustersRoutesAndListenersToItsNamespace() {
    MeshSnapshot mesh = mesh(importing("shop", "./*"));

    XdsResources shop = Translator.translate(mesh, proxy("reviews", "shop")).resources();

    assertThat(outboundClusters(shop))
        .containsExactly("outbound|9080||" + RATINGS, "outbound|9080||" + REVIEWS);
    assertThat(virtualHosts(shop))
        .containsExactly(RATINGS + ":9080", REVIEWS + ":9080", Names.ALLOW_ANY_VIRTUAL_HOST);
    assertThat(shop.routes()).extracting(RouteConfiguration::getName).containsExactly("9080");
    assertThat(shop.listeners())
        .extracting(Listener::getName)
        .doesNotContain("0.0.0.0_8080", "0.0.0.0_5432")
        .contains("0.0.0.0_9080");
  }

  @Test
  void proxiesOfANamespaceWithoutSidecar_stillSeeTheWholeMesh() {
    MeshSnapshot mesh = mesh(importing("shop", "./*"));

    XdsResources billing = Translator.translate(mesh, proxy("payments", "billing")).resources();

    assertThat(outboundClusters(billing)).hasSize(4);
  }

  @Test
  void hostsFromOtherNamespaces_areImportedByNamespaceAndName() {
    MeshSnapshot mesh = mesh(importing("shop", "./*", "billing/" + PAYMENTS));

    XdsResources shop = Translator.translate(mesh, proxy("reviews", "shop")).resources();

    assertThat(outboundClusters(shop))
        .containsExactlyInAnyOrder(
            "outbound|9080||" + RATINGS, "outbound|9080||" + REVIEWS, "outbound|8080||" + PAYMENTS);
    // The namespace part must match the service's namespace.
    MeshSnapshot wrongNamespace = mesh(importing("shop", "shop/" + PAYMENTS));
    assertThat(
            outboundClusters(
                Translator.translate(wrongNamespace, proxy("reviews", "shop")).resources()))
        .isEmpty();
  }

  @Test
  void routeToAServiceTheSidecarDoesNotImport_isLeftOutAndReported() {
    MeshSnapshot mesh = mesh(importing("shop", "./*"));

    Translation t = Translator.translate(mesh, proxy("reviews", "shop"));

    VirtualHost reviews =
        t.resources().routes().get(0).getVirtualHostsList().stream()
            .filter(v -> v.getName().equals(REVIEWS + ":9080"))
            .findFirst()
            .orElseThrow();
    // The audit route has no destination left, so it answers 503 as any such route does.
    assertThat(reviews.getRoutes(0).getDirectResponse().getStatus()).isEqualTo(503);
    assertThat(reviews.getRoutes(1).getRoute().getCluster()).isEqualTo("outbound|9080||" + REVIEWS);
    assertThat(t.diagnostics())
        .extracting(Diagnostic::message)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("destination host " + PAYMENTS)
                    .contains("is not imported by Sidecar shop/default"));
  }

  @Test
  void precedence_selectorThenNamespaceThenRootNamespace() {
    Sidecar meshDefault = importing("istio-system", "*/" + LEDGER);
    Sidecar shopDefault = importing("shop", "./*");
    Sidecar reviewsOnly =
        sidecar("shop", "reviews", Map.of("app", "reviews"), List.of("./" + REVIEWS), null);
    MeshSnapshot mesh = mesh(meshDefault, shopDefault, reviewsOnly);

    assertThat(outboundClusters(Translator.translate(mesh, proxy("reviews", "shop")).resources()))
        .containsExactly("outbound|9080||" + REVIEWS);
    assertThat(outboundClusters(Translator.translate(mesh, proxy("ratings", "shop")).resources()))
        .containsExactly("outbound|9080||" + RATINGS, "outbound|9080||" + REVIEWS);
    assertThat(
            outboundClusters(Translator.translate(mesh, proxy("payments", "billing")).resources()))
        .containsExactly("outbound|5432||" + LEDGER);
  }

  @Test
  void rootNamespaceSidecarWithSelector_appliesOnlyInTheRootNamespace() {
    Sidecar selecting =
        sidecar("istio-system", "narrow", Map.of("app", "payments"), List.of("./*"), null);
    MeshSnapshot mesh = mesh(selecting);

    assertThat(
            outboundClusters(Translator.translate(mesh, proxy("payments", "billing")).resources()))
        .hasSize(4);
  }

  @Test
  void registryOnly_refusesUnknownDestinationsInsteadOfPassingThemThrough() {
    MeshSnapshot mesh =
        mesh(sidecar("shop", "default", Map.of(), List.of(), OutboundTrafficPolicy.REGISTRY_ONLY));

    XdsResources shop = Translator.translate(mesh, proxy("reviews", "shop")).resources();

    assertThat(shop.clusters())
        .extracting(Cluster::getName)
        .contains(Names.BLACK_HOLE_CLUSTER)
        .doesNotContain(Names.PASSTHROUGH_CLUSTER);
    assertThat(outboundClusters(shop)).hasSize(4); // no egress section: everything is imported
    Listener virtualOutbound =
        shop.listeners().stream()
            .filter(l -> l.getName().equals(Names.VIRTUAL_OUTBOUND))
            .findFirst()
            .orElseThrow();
    assertThat(virtualOutbound.getFilterChainsList())
        .extracting(c -> c.getName())
        .containsExactly(Names.BLACK_HOLE_CLUSTER);
    VirtualHost blockAll =
        shop.routes().stream()
            .flatMap(rc -> rc.getVirtualHostsList().stream())
            .filter(v -> v.getName().equals(Names.BLOCK_ALL_VIRTUAL_HOST))
            .findFirst()
            .orElseThrow();
    assertThat(blockAll.getDomainsList()).containsExactly("*");
    assertThat(blockAll.getRoutes(0).getDirectResponse().getStatus()).isEqualTo(502);
    assertThat(virtualHosts(shop)).doesNotContain(Names.ALLOW_ANY_VIRTUAL_HOST);
  }

  @Test
  void workloadsUnderOneSidecar_shareTheirOutboundLayers_othersDoNot() {
    MeshTranslation t = MeshTranslation.of(mesh(importing("shop", "./*")));

    ProxyLayers reviews = t.forProxy(proxy("reviews", "shop"));
    ProxyLayers ratings = t.forProxy(proxy("ratings", "shop"));
    ProxyLayers payments = t.forProxy(proxy("payments", "billing"));

    assertThat(reviews.clusters().get(0)).isSameAs(ratings.clusters().get(0));
    assertThat(reviews.listeners().get(0)).isSameAs(ratings.listeners().get(0));
    assertThat(reviews.clusters().get(0)).isNotSameAs(payments.clusters().get(0));
  }

  @Test
  void proxylessGrpcClients_areNotScoped() {
    MeshSnapshot mesh = mesh(importing("shop", "./*"));
    ProxyContext grpc =
        ProxyContext.fromNode(
            Node.newBuilder()
                .setId("client")
                .setUserAgentName("gRPC Java")
                .setMetadata(
                    Struct.newBuilder()
                        .putFields("NAMESPACE", Value.newBuilder().setStringValue("shop").build()))
                .build());

    assertThat(outboundClusters(Translator.translate(mesh, grpc).resources())).hasSize(4);
  }

  @Test
  void twoSidecarsWithoutSelectorInOneNamespace_theFirstByNameApplies_theOtherIsReported() {
    Sidecar first = sidecar("shop", "a-narrow", Map.of(), List.of("./" + RATINGS), null);
    Sidecar second = sidecar("shop", "b-wide", Map.of(), List.of("*/*"), null);

    Translation t = Translator.translate(mesh(second, first), proxy("reviews", "shop"));

    assertThat(outboundClusters(t.resources())).containsExactly("outbound|9080||" + RATINGS);
    assertThat(t.diagnostics())
        .anySatisfy(
            d ->
                assertThat(Stream.of(d.subject(), d.message()))
                    .anySatisfy(s -> assertThat(s).contains("b-wide"))
                    .anySatisfy(s -> assertThat(s).contains("Sidecar shop/a-narrow")));
  }
}
