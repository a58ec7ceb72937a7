package io.sextant.server;

import static io.sextant.registry.kubernetes.KubeObjects.pod;
import static io.sextant.registry.kubernetes.KubeObjects.port;
import static io.sextant.registry.kubernetes.KubeObjects.ready;
import static io.sextant.registry.kubernetes.KubeObjects.service;
import static io.sextant.registry.kubernetes.KubeObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sextant.fixtures.Rules;
import io.sextant.registry.kubernetes.IstioCrds;
import io.sextant.registry.kubernetes.MockApiServer;
import io.sextant.server.config.ConfigFile;
import io.sextant.server.testing.AdminClient;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.Nodes;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code type: kubernetes} registries and rule sources in {@code sextant.yaml}, served end to end
 * to an ADS client from fabric8's mock API server, reached through a kubeconfig file.
 */
class KubernetesSourcesTest {
  private static final String REVIEWS = "reviews.bookinfo.svc.cluster.local";
  private static final String V1 = "outbound|9080|v1|" + REVIEWS;

  @RegisterExtension final TestMesh mesh = new TestMesh();
  @TempDir Path dir;
  private MockApiServer api;
  private KubernetesClient k8s;

  @BeforeEach
  void startApiServer() {
    api = new MockApiServer();
    k8s = api.admin();
    IstioCrds.install(k8s);
    k8s.services().resource(service("bookinfo", "reviews", port("http", 9080, 9080))).create();
    k8s.pods()
        .resource(pod("bookinfo", "reviews-v1", "10.1.0.1", Map.of("version", "v1")))
        .create();
    k8s.pods()
        .resource(pod("bookinfo", "reviews-v2", "10.1.0.2", Map.of("version", "v2")))
        .create();
    k8s.discovery()
        .v1()
        .endpointSlices()
        .resource(
            slice(
                "bookinfo",
                "reviews",
                "reviews-1",
                "http",
                9080,
                List.of(
                    ready("10.1.0.1", "reviews-v1", null), ready("10.1.0.2", "reviews-v2", null))))
        .create();
    IstioCrds.apply(
        k8s,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          host: reviews
          subsets:
            - {name: v1, labels: {version: v1}}
            - {name: v2, labels: {version: v2}}
        """);
  }

  @AfterEach
  void stopApiServer() {
    mesh.stop();
    api.close();
  }

  private void serve() {
    Path kubeconfig = api.writeKubeconfig(dir);
    Path config =
        mesh.write(
            "k8s.yaml",
            """
        xds: {address: 127.0.0.1, port: 0}
        admin: {address: 127.0.0.1, port: 0}
        registries:
          - name: cluster
            type: kubernetes
            kubeconfig: %s
            context: mock
            staleAfter: 500ms
        rules:
          - name: cluster-rules
            type: kubernetes
            kubeconfig: %s
        """
                .formatted(kubeconfig, kubeconfig));
    ConfigFile.Result loaded = ConfigFile.load(config);
    assertThat(loaded.errors()).isEmpty();
    mesh.start(loaded.config().orElseThrow());
  }

  private JsonObject registry(AdminClient admin, String name) {
    for (JsonElement r : admin.json("/debug/registryz").getAsJsonArray("registries")) {
      if (r.getAsJsonObject().get("name").getAsString().equals(name)) {
        return r.getAsJsonObject();
      }
    }
    throw new AssertionError("no registry " + name + " on /debug/registryz");
  }

  @Test
  void servicesAndRulesFromTheCluster_reachAProxy_withSubsetsFromPodLabels() {
    serve();

    DiscoveryResponse eds =
        mesh.sotw(Nodes.sidecar("productpage-1", "productpage", "bookinfo"))
            .fetchEverything()
            .get(XdsType.EDS);
    assertThat(Unpacked.endpoints(eds, V1)).containsExactly("10.1.0.1:9080");
    assertThat(Unpacked.endpoints(eds, "outbound|9080|v2|" + REVIEWS))
        .containsExactly("10.1.0.2:9080");

    JsonObject cluster = registry(mesh.admin(), "cluster");
    assertThat(cluster.get("type").getAsString()).isEqualTo("kubernetes");
    assertThat(cluster.get("synced").getAsBoolean()).isTrue();
    assertThat(cluster.get("stale").getAsBoolean()).isFalse();
    assertThat(cluster.get("services").getAsInt()).isEqualTo(1);
    assertThat(cluster.get("endpoints").getAsInt()).isEqualTo(2);
    assertThat(cluster.has("lastSync")).isTrue();
    assertThat(registry(mesh.admin(), "cluster-serviceentries").get("services").getAsInt())
        .isZero();
  }

  @Test
  void rateLimitCustomResource_reachesAProxy_asLocalRateLimitOnTheVirtualHost() throws Exception {
    IstioCrds.apply(
        k8s,
        """
        apiVersion: sextant.io/v1alpha1
        kind: RateLimit
        metadata: {name: reviews-limit, namespace: bookinfo}
        spec:
          host: reviews
          tokensPerFill: 10
          fillInterval: 1s
        """);
    serve();

    DiscoveryResponse rds =
        mesh.sotw(Nodes.sidecar("productpage-1", "productpage", "bookinfo"))
            .fetchEverything()
            .get(XdsType.RDS);
    VirtualHost reviews =
        Unpacked.virtualHosts(rds)
            .filter(vh -> vh.getName().equals(REVIEWS + ":9080"))
            .findFirst()
            .orElseThrow();
    Any config = reviews.getTypedPerFilterConfigOrThrow("envoy.filters.http.local_ratelimit");
    LocalRateLimit limit = config.unpack(LocalRateLimit.class);
    assertThat(limit.getDescriptorsList())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getEntries(0).getValue()).isEqualTo("bookinfo/reviews-limit");
              assertThat(d.getTokenBucket().getTokensPerFill().getValue()).isEqualTo(10);
              assertThat(d.getTokenBucket().getFillInterval().getSeconds()).isEqualTo(1);
            });
  }

  @Test
  void sidecarCustomResource_reachesTheMesh_andABadOneIsListedOnConfigz() {
    IstioCrds.apply(
        k8s, Rules.sidecarYaml("bookinfo", "default", "egress: [{hosts: [./*, istio-system/*]}]"));
    IstioCrds.apply(
        k8s,
        Rules.sidecarYaml(
            "bookinfo",
            "ratings",
            "workloadSelector: {labels: {app: ratings}}\ningress: [{port: {number: 9080}}]"));
    serve();
    AdminClient admin = mesh.admin();

    Eventually.holds(
        () -> assertThat(admin.json("/debug/configz").get("sidecars").getAsInt()).isEqualTo(1));
    assertThat(admin.json("/debug/configz").toString())
        .contains("sidecar/ratings -n bookinfo")
        .contains(
            "spec.ingress: field 'ingress' is valid in Istio but not supported by Sextant yet");
  }

  @Test
  void apiServerOutage_keepsServing_andShowsStaleOnRegistryzAndMetrics() {
    serve();
    var proxy = mesh.sotw(Nodes.sidecar("productpage-1", "productpage", "bookinfo"));
    proxy.fetchEverything();
    AdminClient admin = mesh.admin();
    String staleSample = "sextant_registry_stale{registry=\"cluster\",type=\"kubernetes\"}";
    assertThat(admin.metric(staleSample)).isZero();

    api.disconnect();

    Eventually.holds(
        () -> assertThat(registry(admin, "cluster").get("stale").getAsBoolean()).isTrue());
    assertThat(admin.metric(staleSample)).isEqualTo(1.0);
    assertThat(registry(admin, "cluster").getAsJsonArray("errors").toString())
        .contains("API server unreachable");
    // Nothing is withdrawn: no new endpoints are pushed, and the registry keeps what it had.
    assertThat(proxy.nextWithinQuietPeriod(XdsType.EDS)).isEmpty();
    assertThat(registry(admin, "cluster").get("endpoints").getAsInt()).isEqualTo(2);

    api.reconnect();
    Eventually.holds(() -> assertThat(admin.metric(staleSample)).isZero());
  }

  @Test
  void badKubernetesKeys_areLocatedErrors() {
    Path config =
        mesh.write(
            "bad.yaml",
            """
        registries:
          - type: kubernetes
            namespaces: [a]
            namespaceSelector: {matchLabels: {mesh: "on"}}
            resyncInterval: 10ms
            paths: [x]
        """);

    assertThat(ConfigFile.load(config).errors())
        .extracting(Object::toString)
        .anySatisfy(e -> assertThat(e).contains("bad.yaml:4:").contains("not both"))
        .anySatisfy(e -> assertThat(e).contains("resyncInterval").contains("at least 1s"))
        .anySatisfy(e -> assertThat(e).contains("bad.yaml:6:").contains("unknown field 'paths'"));
  }
}
