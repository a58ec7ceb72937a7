package io.sextant.registry.kubernetes;

import static io.sextant.registry.kubernetes.KubeObjects.endpoint;
import static io.sextant.registry.kubernetes.KubeObjects.node;
import static io.sextant.registry.kubernetes.KubeObjects.pod;
import static io.sextant.registry.kubernetes.KubeObjects.port;
import static io.sextant.registry.kubernetes.KubeObjects.ready;
import static io.sextant.registry.kubernetes.KubeObjects.service;
import static io.sextant.registry.kubernetes.KubeObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.Resolution;
import io.sextant.model.ServicePort;
import io.sextant.registry.Poll;
import io.sextant.registry.RecordingListener;
import io.sextant.registry.ServiceEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KubernetesRegistryTest {
  private static final String REVIEWS = "reviews.bookinfo.svc.cluster.local";

  private MockApiServer api;
  private KubernetesClient k8s;
  private KubernetesRegistry registry;
  private final RecordingListener events = new RecordingListener();

  @BeforeEach
  void startServer() {
    api = new MockApiServer();
    k8s = api.admin();
    k8s.nodes().resource(node("node-a", "eu-west", "eu-west-1a")).create();
  }

  @AfterEach
  void stop() {
    if (registry != null) {
      registry.close();
    }
    api.close();
  }

  private void startRegistry(KubernetesSettings settings) {
    registry = new KubernetesRegistry("k8s", api.newClient(), true, settings);
    registry.start(events);
    Poll.until(() -> assertThat(registry.hasSynced()).isTrue());
  }

  private Optional<MeshService> find(String host) {
    return registry.services().stream().filter(s -> s.hostname().equals(host)).findFirst();
  }

  private MeshService reviews() {
    return find(REVIEWS).orElseThrow(() -> new AssertionError("reviews is not served"));
  }

  private void createReviews() {
    k8s.services()
        .resource(
            service(
                "bookinfo",
                "reviews",
                port("http-web", 9080, 8080),
                port("grpc-admin", 9090, 9090)))
        .create();
    k8s.pods()
        .resource(
            pod("bookinfo", "reviews-v1", "10.0.0.1", Map.of("app", "reviews", "version", "v1")))
        .create();
    k8s.pods()
        .resource(
            pod("bookinfo", "reviews-v2", "10.0.0.2", Map.of("app", "reviews", "version", "v2")))
        .create();
    k8s.discovery()
        .v1()
        .endpointSlices()
        .resource(
            reviewsSlice(
                ready("10.0.0.1", "reviews-v1", "node-a"),
                ready("10.0.0.2", "reviews-v2", "node-a")))
        .create();
  }

  /** The one EndpointSlice of reviews, port http-web on 8080, with {@code endpoints}. */
  private static io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice reviewsSlice(
      io.fabric8.kubernetes.api.model.discovery.v1.Endpoint... endpoints) {
    return slice("bookinfo", "reviews", "reviews-abc", "http-web", 8080, List.of(endpoints));
  }

  @Test
  void serviceWithSlicesAndPods_isServedWithLabelledEndpointsAndLocality() {
    createReviews();
    startRegistry(KubernetesSettings.defaults());

    MeshService reviews = reviews();
    assertThat(reviews.service().namespace()).isEqualTo("bookinfo");
    assertThat(reviews.service().ports())
        .containsExactly(
            new ServicePort("http-web", 9080, Protocol.HTTP, 8080),
            new ServicePort("grpc-admin", 9090, Protocol.GRPC, 9090));
    assertThat(reviews.service().addresses()).hasSize(1);
    assertThat(reviews.endpoints())
        .extracting(
            Endpoint::address,
            Endpoint::port,
            Endpoint::servicePort,
            e -> e.labels().get("version"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.0.0.1", 8080, 9080, "v1"),
            org.assertj.core.groups.Tuple.tuple("10.0.0.2", 8080, 9080, "v2"));
    assertThat(reviews.endpoints())
        .allSatisfy(
            e -> {
              assertThat(e.locality()).isEqualTo(new Locality("eu-west", "eu-west-1a", ""));
              assertThat(e.origin()).isEqualTo("k8s");
            });
    assertThat(events.about(REVIEWS)).containsExactly("ADDED " + REVIEWS);
  }

  @Test
  void scalingTheSlice_emitsAnEndpointOnlyChange() {
    createReviews();
    startRegistry(KubernetesSettings.defaults());
    events.clear();

    k8s.discovery()
        .v1()
        .endpointSlices()
        .resource(
            reviewsSlice(
                ready("10.0.0.1", "reviews-v1", "node-a"),
                ready("10.0.0.2", "reviews-v2", "node-a"),
                ready("10.0.0.3", null, "node-a")))
        .update();

    Poll.until(() -> assertThat(reviews().endpoints()).hasSize(3));
    assertThat(events.about(REVIEWS)).containsExactly("ENDPOINTS_UPDATED " + REVIEWS);

    k8s.discovery().v1().endpointSlices().inNamespace("bookinfo").withName("reviews-abc").delete();
    Poll.until(() -> assertThat(reviews().endpoints()).isEmpty());
  }

  @Test
  void readyServingAndTerminatingConditions_becomeHealth() {
    k8s.services().resource(service("bookinfo", "reviews", port("http", 9080, 9080))).create();
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
                    endpoint("10.0.0.1", null, "node-a", true, false),
                    endpoint("10.0.0.2", null, "node-a", false, false),
                    endpoint("10.0.0.3", null, "node-a", false, true))))
        .create();
    startRegistry(KubernetesSettings.defaults());

    assertThat(reviews().endpoints())
        .extracting(Endpoint::address, Endpoint::health)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.0.0.1", HealthStatus.HEALTHY),
            org.assertj.core.groups.Tuple.tuple("10.0.0.2", HealthStatus.UNHEALTHY),
            org.assertj.core.groups.Tuple.tuple("10.0.0.3", HealthStatus.DRAINING));
  }

  @Test
  void podLabelChange_relabelsItsEndpoints_soSubsetsFollow() {
    createReviews();
    startRegistry(KubernetesSettings.defaults());
    events.clear();

    k8s.pods()
        .inNamespace("bookinfo")
        .withName("reviews-v2")
        .edit(
            p -> {
              p.getMetadata().getLabels().put("version", "v3");
              return p;
            });

    Poll.until(
        () ->
            assertThat(reviews().endpoints())
                .extracting(e -> e.labels().get("version"))
                .containsExactly("v1", "v3"));
    assertThat(events.about(REVIEWS)).containsExactly("ENDPOINTS_UPDATED " + REVIEWS);
  }

  @Test
  void nodeZoneChange_movesItsEndpointsLocality() {
    createReviews();
    startRegistry(KubernetesSettings.defaults());

    k8s.nodes().resource(node("node-a", "eu-west", "eu-west-1b")).update();

    Poll.until(
        () ->
            assertThat(reviews().endpoints())
                .allSatisfy(e -> assertThat(e.locality().zone()).isEqualTo("eu-west-1b")));
  }

  @Test
  void serviceDeletion_removesTheService() {
    createReviews();
    startRegistry(KubernetesSettings.defaults());

    k8s.services().inNamespace("bookinfo").withName("reviews").delete();

    Poll.until(() -> assertThat(find(REVIEWS)).isEmpty());
    assertThat(events.about(REVIEWS)).containsExactly("ADDED " + REVIEWS, "DELETED " + REVIEWS);
  }

  @Test
  void headlessAndExternalNameServices() {
    k8s.services()
        .resource(
            new ServiceBuilder(service("db", "mysql", port("tcp-mysql", 3306, 3306)))
                .editSpec()
                .withClusterIP("None")
                .endSpec()
                .build())
        .create();
    k8s.discovery()
        .v1()
        .endpointSlices()
        .resource(
            slice(
                "db",
                "mysql",
                "mysql-1",
                "tcp-mysql",
                3306,
                List.of(ready("10.0.1.1", null, null))))
        .create();
    k8s.services()
        .resource(
            new ServiceBuilder(service("default", "search", port("https", 443, 443)))
                .editSpec()
                .withType("ExternalName")
                .withClusterIP(null)
                .withExternalName("search.example.com")
                .endSpec()
                .build())
        .create();
    startRegistry(KubernetesSettings.defaults());

    MeshService mysql = find("mysql.db.svc.cluster.local").orElseThrow();
    assertThat(mysql.service().addresses()).isEmpty();
    assertThat(mysql.service().ports().get(0).protocol()).isEqualTo(Protocol.TCP);
    assertThat(mysql.endpoints()).extracting(Endpoint::address).containsExactly("10.0.1.1");

    MeshService search = find("search.default.svc.cluster.local").orElseThrow();
    assertThat(search.service().resolution()).isEqualTo(Resolution.DNS);
    assertThat(search.endpoints())
        .extracting(Endpoint::address, Endpoint::port)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("search.example.com", 443));
  }

  @Test
  void namespaceList_limitsWhatIsWatched() {
    createReviews();
    k8s.services().resource(service("other", "ratings", port("http", 9080, 9080))).create();
    startRegistry(KubernetesSettings.defaults().withNamespaces(List.of("other")));

    assertThat(registry.services())
        .extracting(MeshService::hostname)
        .containsExactly("ratings.other.svc.cluster.local");
  }

  @Test
  void namespaceSelector_followsNamespaceLabels() {
    k8s.namespaces().resource(KubeObjects.namespace("bookinfo", Map.of("mesh", "on"))).create();
    k8s.namespaces().resource(KubeObjects.namespace("other", Map.of())).create();
    createReviews();
    k8s.services().resource(service("other", "ratings", port("http", 9080, 9080))).create();
    startRegistry(KubernetesSettings.defaults().withNamespaceSelector(Map.of("mesh", "on")));

    assertThat(registry.services()).extracting(MeshService::hostname).containsExactly(REVIEWS);

    k8s.namespaces().resource(KubeObjects.namespace("other", Map.of("mesh", "on"))).update();
    Poll.until(
        () ->
            assertThat(registry.services())
                .extracting(MeshService::hostname)
                .containsExactly("ratings.other.svc.cluster.local", REVIEWS));
  }

  @Test
  void periodicResync_thatChangesNothing_emitsNothing() throws InterruptedException {
    createReviews();
    startRegistry(KubernetesSettings.defaults().withResyncInterval(Duration.ofSeconds(1)));
    int before = events.events().size();

    Thread.sleep(3500); // three resync periods (fabric8 allows no less than 1 s)

    assertThat(events.events()).hasSize(before);
  }

  @Test
  void apiServerOutage_keepsTheLastStateAndMarksStale_thenResyncsOnlyRealChanges() {
    createReviews();
    k8s.services().resource(service("bookinfo", "ratings", port("http", 9080, 9080))).create();
    startRegistry(KubernetesSettings.defaults().withStaleAfter(Duration.ofMillis(300)));
    assertThat(registry.status().stale()).isFalse();

    api.disconnect();
    Poll.until(() -> assertThat(registry.status().stale()).isTrue());
    assertThat(registry.status().errors()).isNotEmpty();
    assertThat(reviews().endpoints()).hasSize(2);

    // While Sextant is cut off, one service changes and another is removed.
    events.clear();
    k8s.discovery()
        .v1()
        .endpointSlices()
        .resource(reviewsSlice(ready("10.0.0.1", "reviews-v1", "node-a")))
        .update();
    k8s.services().inNamespace("bookinfo").withName("ratings").delete();
    assertThat(reviews().endpoints()).hasSize(2);

    api.reconnect();
    Poll.until(() -> assertThat(registry.status().stale()).isFalse());
    Poll.until(() -> assertThat(reviews().endpoints()).hasSize(1));
    Poll.until(
        () ->
            assertThat(events.events())
                .extracting(ServiceEvent::kind, ServiceEvent::hostname)
                .containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple(
                        ServiceEvent.Kind.ENDPOINTS_UPDATED, REVIEWS),
                    org.assertj.core.groups.Tuple.tuple(
                        ServiceEvent.Kind.DELETED, "ratings.bookinfo.svc.cluster.local")));
  }
}
