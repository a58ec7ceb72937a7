package io.sextant.registry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sextant.config.ConfigError;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Sidecar.EgressHost;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import io.sextant.fixtures.Rules;
import io.sextant.model.MeshService;
import io.sextant.registry.Poll;
import io.sextant.registry.RecordingListener;
import io.sextant.registry.RuleResourceSource;
import io.sextant.registry.RuleSet;
import io.sextant.registry.ServiceEntryRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CustomResourceFeedTest {
  private static final KubernetesSettings SETTINGS =
      KubernetesSettings.defaults().withStaleAfter(Duration.ofMillis(300));

  private MockApiServer api;
  private KubernetesClient k8s;
  private RuleResourceSource rules;
  private ServiceEntryRegistry entries;
  private final AtomicInteger deliveries = new AtomicInteger();

  @BeforeEach
  void startServer() {
    api = new MockApiServer();
    k8s = api.admin();
  }

  @AfterEach
  void stop() {
    if (rules != null) {
      rules.close();
    }
    if (entries != null) {
      entries.close();
    }
    api.close();
  }

  /** What a {@code kubernetes} rule source watches. */
  private static final List<CustomResourceGroup> RULE_GROUPS =
      List.of(
          CustomResourceGroup.istio("VirtualService", "DestinationRule", "Sidecar"),
          CustomResourceGroup.sextant());

  private void startRules() {
    startRules(CustomResourceFeed.DISCOVERY_RETRY);
  }

  private void startRules(Duration discoveryRetry) {
    rules =
        new RuleResourceSource(
            "cluster-rules",
            "kubernetes",
            sink ->
                new CustomResourceFeed(
                    "cluster-rules",
                    api.newClient(),
                    true,
                    SETTINGS,
                    RULE_GROUPS,
                    discoveryRetry,
                    sink));
    rules.start((source, set) -> deliveries.incrementAndGet());
    Poll.until(() -> assertThat(rules.hasSynced()).isTrue());
  }

  private static String virtualService(String name, int v1Weight) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: bookinfo}
        spec:
          hosts: [reviews]
          http:
            - route:
                - destination: {host: reviews, subset: v1}
                  weight: %d
                - destination: {host: reviews, subset: v2}
                  weight: %d
        """
        .formatted(name, v1Weight, 100 - v1Weight);
  }

  private static final String DESTINATION_RULE =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: bookinfo}
      spec:
        host: reviews
        subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
      """;

  private static final String UNSUPPORTED_FIELD =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: broken, namespace: bookinfo}
      spec:
        hosts: [ratings]
        http:
          - route:
              - destination: {host: ratings}
            mirrorEverything: true
      """;

  private List<Integer> reviewsWeights() {
    return rules.rules().virtualServices().stream()
        .filter(vs -> vs.meta().name().equals("reviews"))
        .flatMap(vs -> vs.http().get(0).route().stream())
        .map(d -> d.weight())
        .toList();
  }

  @Test
  void validCustomResources_becomeRules_andAnInvalidOneIsSkippedWithAnEvent() {
    IstioCrds.install(k8s);
    IstioCrds.apply(k8s, virtualService("reviews", 80));
    IstioCrds.apply(k8s, DESTINATION_RULE);
    IstioCrds.apply(k8s, UNSUPPORTED_FIELD);

    startRules();

    RuleSet set = rules.rules();
    assertThat(set.virtualServices()).extracting(vs -> vs.meta().name()).containsExactly("reviews");
    assertThat(set.destinationRules()).extracting(DestinationRule::host).containsExactly("reviews");
    assertThat(reviewsWeights()).containsExactly(80, 20);
    assertRejected(
        "networking.istio.io/v1", "VirtualService", "broken", "spec.http[0].mirrorEverything");
  }

  /**
   * The object {@code kind/name} in bookinfo is the one rejected, listed with an error on {@code
   * field}, and carries a Warning Event that names the field.
   */
  private void assertRejected(String apiVersion, String kind, String name, String field) {
    assertThat(rules.status().errors())
        .extracting(ConfigError::toString)
        .singleElement()
        .asString()
        .contains(kind.toLowerCase(Locale.ROOT) + "/" + name + " -n bookinfo")
        .contains(field);
    Poll.until(
        () ->
            assertThat(k8s.v1().events().inNamespace("bookinfo").list().getItems())
                .filteredOn(e -> e.getInvolvedObject().getName().equals(name))
                .singleElement()
                .satisfies(
                    (Event e) -> {
                      assertThat(e.getType()).isEqualTo("Warning");
                      assertThat(e.getReason()).isEqualTo(RejectionEvents.REASON);
                      assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo(apiVersion);
                      assertThat(e.getInvolvedObject().getKind()).isEqualTo(kind);
                      assertThat(e.getMessage())
                          .contains(field.substring(field.lastIndexOf('.') + 1));
                    }));
  }

  @Test
  void changes_flowThrough_andABadUpdateKeepsThePreviousVersion() {
    IstioCrds.install(k8s);
    IstioCrds.apply(k8s, virtualService("reviews", 80));
    startRules();

    IstioCrds.apply(k8s, virtualService("reviews", 10));
    Poll.until(() -> assertThat(reviewsWeights()).containsExactly(10, 90));

    IstioCrds.apply(k8s, virtualService("reviews", 40).replace("weight: 40", "weight: forty"));
    Poll.until(() -> assertThat(rules.status().errors()).hasSize(1));
    assertThat(reviewsWeights()).containsExactly(10, 90);
    assertThat(rules.status().rejections()).isEqualTo(1);

    IstioCrds.delete(k8s, "VirtualService", "bookinfo", "reviews");
    Poll.until(() -> assertThat(rules.rules().virtualServices()).isEmpty());
    assertThat(rules.status().errors()).isEmpty();
    assertThat(rules.status().rejections()).isEqualTo(1);
  }

  private static String sidecar(String hosts) {
    return Rules.sidecarYaml("bookinfo", "default", "egress: [{hosts: " + hosts + "}]");
  }

  private List<List<EgressHost>> sidecarHosts() {
    return rules.rules().sidecars().stream().map(sc -> sc.egressHosts().orElseThrow()).toList();
  }

  @Test
  void sidecarCustomResource_becomesASidecar_andABadUpdateKeepsThePreviousVersion() {
    IstioCrds.install(k8s);
    IstioCrds.apply(k8s, virtualService("reviews", 80));
    IstioCrds.apply(k8s, sidecar("[./*, istio-system/*]"));
    startRules();

    assertThat(rules.rules().virtualServices()).hasSize(1);
    assertThat(rules.rules().sidecars())
        .singleElement()
        .satisfies(
            sc -> assertThat(sc.meta().qualifiedName()).isEqualTo("Sidecar bookinfo/default"));
    assertThat(sidecarHosts())
        .containsExactly(
            List.of(new EgressHost("bookinfo", "*"), new EgressHost("istio-system", "*")));
    assertThat(rules.status().errors()).isEmpty();

    IstioCrds.apply(k8s, sidecar("[./*, ./ratings]"));
    Poll.until(() -> assertThat(rules.status().errors()).hasSize(1));
    assertRejected("networking.istio.io/v1", "Sidecar", "default", "spec.egress[0].hosts[1]");
    assertThat(rules.status().errors().get(0).message()).contains("short name");
    assertThat(sidecarHosts())
        .containsExactly(
            List.of(new EgressHost("bookinfo", "*"), new EgressHost("istio-system", "*")));
    assertThat(rules.status().rejections()).isEqualTo(1);
  }

  @Test
  void withoutIstioCrds_theSourceSyncsEmpty() {
    startRules();

    assertThat(rules.rules()).isEqualTo(RuleSet.EMPTY);
    assertThat(rules.status().errors()).isEmpty();
  }

  @Test
  void serviceEntryCustomResources_feedAServiceEntryRegistry() {
    IstioCrds.install(k8s);
    IstioCrds.apply(
        k8s,
        """
        apiVersion: networking.istio.io/v1beta1
        kind: ServiceEntry
        metadata: {name: payments, namespace: shop}
        spec:
          hosts: [payments.example.com]
          ports: [{number: 443, name: tcp-https, protocol: TCP}]
          resolution: DNS
          location: MESH_EXTERNAL
        """
            .replace("v1beta1", "v1"));
    entries =
        new ServiceEntryRegistry(
            "k8s-serviceentries",
            "kubernetes",
            sink ->
                new CustomResourceFeed(
                    "k8s-serviceentries",
                    api.newClient(),
                    true,
                    SETTINGS,
                    List.of(CustomResourceGroup.istio("ServiceEntry")),
                    sink));
    RecordingListener events = new RecordingListener();
    entries.start(events);
    Poll.until(() -> assertThat(entries.hasSynced()).isTrue());

    assertThat(entries.status().errors()).isEmpty();
    Optional<MeshService> payments =
        entries.services().stream()
            .filter(s -> s.hostname().equals("payments.example.com"))
            .findFirst();
    assertThat(payments).isPresent();
    assertThat(payments.get().service().namespace()).isEqualTo("shop");
  }

  private static String rateLimit(String name, String tokensPerFill) {
    return """
        apiVersion: sextant.io/v1alpha1
        kind: RateLimit
        metadata: {name: %s, namespace: bookinfo}
        spec:
          host: reviews
          match:
            uri: {prefix: /api}
          tokensPerFill: %s
          fillInterval: 1s
        """
        .formatted(name, tokensPerFill);
  }

  private List<Integer> tokensPerFill() {
    return rules.rules().rateLimits().stream().map(RateLimit::tokensPerFill).toList();
  }

  @Test
  void rateLimitCustomResources_becomeRules_andAnInvalidOneIsSkippedWithAnEvent() {
    IstioCrds.install(k8s);
    IstioCrds.apply(k8s, virtualService("reviews", 80));
    IstioCrds.apply(k8s, rateLimit("reviews-limit", "10"));
    IstioCrds.apply(k8s, rateLimit("broken-limit", "10") + "  refillEvery: 1s\n");

    startRules();

    assertThat(rules.rules().virtualServices()).hasSize(1);
    assertThat(rules.rules().rateLimits())
        .singleElement()
        .satisfies(
            rl -> {
              assertThat(rl.meta().name()).isEqualTo("reviews-limit");
              assertThat(rl.meta().namespace()).isEqualTo("bookinfo");
              assertThat(rl.host()).isEqualTo("reviews");
              assertThat(rl.tokensPerFill()).isEqualTo(10);
              assertThat(rl.fillInterval()).isEqualTo(Duration.ofSeconds(1));
            });
    assertRejected("sextant.io/v1alpha1", "RateLimit", "broken-limit", "spec.refillEvery");
    assertThat(rules.status().rejections()).isEqualTo(1);
  }

  @Test
  void withoutTheSextantCrd_istioKindsFlow_andRateLimitsFollowOnceItIsInstalled() {
    IstioCrds.install(k8s, "networking.istio.io");
    IstioCrds.apply(k8s, virtualService("reviews", 80));

    startRules(Duration.ofMillis(100));

    assertThat(reviewsWeights()).containsExactly(80, 20);
    assertThat(rules.rules().rateLimits()).isEmpty();
    assertThat(rules.status().errors()).isEmpty();

    IstioCrds.install(k8s, "sextant.io");
    IstioCrds.apply(k8s, rateLimit("reviews-limit", "10"));
    Poll.until(() -> assertThat(tokensPerFill()).containsExactly(10));
    assertThat(reviewsWeights()).containsExactly(80, 20);

    // A bad update keeps the valid version in effect, as for Istio's kinds.
    IstioCrds.apply(k8s, rateLimit("reviews-limit", "0"));
    Poll.until(() -> assertThat(rules.status().errors()).hasSize(1));
    assertThat(tokensPerFill()).containsExactly(10);
    assertThat(rules.status().rejections()).isEqualTo(1);
  }

  @Test
  void apiServerOutage_keepsRules_andMarksStale() {
    IstioCrds.install(k8s);
    IstioCrds.apply(k8s, virtualService("reviews", 80));
    IstioCrds.apply(k8s, rateLimit("reviews-limit", "10"));
    startRules();

    api.disconnect();
    Poll.until(() -> assertThat(rules.status().stale()).isTrue());
    assertThat(reviewsWeights()).containsExactly(80, 20);
    assertThat(tokensPerFill()).containsExactly(10);
    IstioCrds.apply(k8s, virtualService("reviews", 30));

    int before = deliveries.get();
    api.reconnect();
    Poll.until(() -> assertThat(rules.status().stale()).isFalse());
    Poll.until(() -> assertThat(reviewsWeights()).containsExactly(30, 70));
    assertThat(tokensPerFill()).containsExactly(10);
    assertThat(deliveries.get()).isEqualTo(before + 1);
  }

  @Test
  void servedVersion_prefersTheServersPreferredVersion_amongThoseSextantReads() {
    var ours = CustomResourceGroup.istio("VirtualService");
    var group =
        new APIGroupBuilder()
            .withName("networking.istio.io")
            .addNewVersion()
            .withVersion("v1alpha3")
            .endVersion()
            .addNewVersion()
            .withVersion("v1beta1")
            .endVersion()
            .withNewPreferredVersion()
            .withVersion("v1beta1")
            .endPreferredVersion()
            .build();
    assertThat(CustomResourceFeed.servedVersion(ours, group)).contains("v1beta1");

    group.getPreferredVersion().setVersion("v2");
    assertThat(CustomResourceFeed.servedVersion(ours, group)).contains("v1beta1");

    assertThat(CustomResourceFeed.servedVersion(ours, null)).isEmpty();
  }

  @SuppressWarnings("unused")
  private static List<String> names(List<VirtualService> list) {
    return list.stream().map(vs -> vs.meta().name()).toList();
  }
}
