package io.sextant.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.sextant.fixtures.Services;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSettings;
import io.sextant.registry.RuleSet;
import io.sextant.server.admin.Metrics;
import io.sextant.server.config.SextantConfig;
import io.sextant.server.testing.AdsClient;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.Nodes;
import io.sextant.server.testing.Pipeline;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsStreams;
import io.sextant.server.xds.XdsType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When the scheduler publishes, and how much: sync gating, debounce, new groups, no-op pushes. */
class PushSchedulerTest {
  private static final String REVIEWS_HOST = "reviews.default.svc.cluster.local";
  private static final String REVIEWS = "outbound|9080||" + REVIEWS_HOST;

  private static final String GROUP = "sidecar|default|productpage|REDIRECT";

  private Pipeline pipeline;
  private AdsClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private void start(Duration quiet, Duration max, boolean synced) {
    start(new SextantConfig.Push(quiet, max), synced);
  }

  /**
   * Changes wait a minute unless only endpoints changed; the client watches reviews' endpoints. The
   * sources sync only once the registry has delivered its services, so that the first push takes
   * them all and nothing but the test's own changes is pending afterwards. (Synced from the start,
   * the registry's "reviews added" could arrive after that push, and then stay pending for the
   * minute, holding back the endpoint change behind it.)
   */
  private void startWithAMinuteQuietButTenMillisForEndpoints() {
    start(
        new SextantConfig.Push(
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            SextantConfig.Push.DEFAULT_MAX_IN_FLIGHT_BYTES,
            Duration.ofMillis(10)),
        false);
    pipeline.sync();
    watchReviewsEndpoints();
  }

  private void start(SextantConfig.Push push, boolean synced) {
    pipeline = new Pipeline(push, synced, reviews("10.0.0.1"));
    client =
        AdsClient.connect(
            pipeline.xdsPort(), Nodes.sidecar("productpage-1", "productpage", "default"));
  }

  private static MeshService reviews(String address) {
    return Services.http(REVIEWS_HOST, 9080).endpoint(address, e -> {}).build();
  }

  /** Subscribes the client to the reviews endpoints and returns the first answer. */
  private DiscoveryResponse watchReviewsEndpoints() {
    return client.fetch(XdsType.EDS, REVIEWS);
  }

  @Test
  void nothingIsPublished_untilEverySourceHasSynced() {
    start(Duration.ofMillis(10), Duration.ofMillis(100), false);

    client.request(XdsType.LDS);

    assertThat(client.nextWithinQuietPeriod(XdsType.LDS)).isEmpty();
    assertThat(pipeline.scheduler.isReady()).isFalse();
    pipeline.sync();
    assertThat(Unpacked.names(client.next(XdsType.LDS))).contains("0.0.0.0_9080");
    assertThat(pipeline.scheduler.isReady()).isTrue();
  }

  @Test
  void burstOfEndpointChanges_isMergedIntoFewerPushes() {
    start(Duration.ofSeconds(1), Duration.ofSeconds(10), true);
    watchReviewsEndpoints();
    long pushesBefore = pipeline.metrics.pushes.get();
    int changes = 20;

    for (int i = 1; i <= changes; i++) {
      pipeline.registry.put(reviews("10.0.1." + i));
    }

    int responses = 0;
    for (DiscoveryResponse r = client.next(XdsType.EDS); ; r = client.next(XdsType.EDS)) {
      client.ack(r);
      responses++;
      if (Unpacked.endpoints(r, REVIEWS).contains("10.0.1." + changes + ":9080")) {
        break;
      }
    }
    assertThat(responses).isLessThan(changes);
    assertThat(pipeline.metrics.pushes.get() - pushesBefore).isLessThan(changes);
  }

  @Test
  void anEndpointOnlyChange_waitsOnlyTheEndpointQuietPeriod() {
    startWithAMinuteQuietButTenMillisForEndpoints();

    pipeline.registry.put(reviews("10.0.0.2"));

    assertThat(Unpacked.endpoints(client.next(XdsType.EDS), REVIEWS))
        .containsExactly("10.0.0.2:9080");
  }

  @Test
  void anEndpointChangeWithAnotherChange_waitsTheFullQuietPeriod() {
    startWithAMinuteQuietButTenMillisForEndpoints();

    pipeline.registry.put(reviews("10.0.0.2"));
    pipeline.registry.put(Services.http("details.default.svc.cluster.local", 9080).build());

    assertThat(client.nextWithinQuietPeriod(XdsType.EDS)).isEmpty();
  }

  @Test
  void changesThatNeverPause_arePushedByTheMaximumDelay() {
    start(Duration.ofSeconds(2), Duration.ofMillis(2500), true);
    watchReviewsEndpoints();

    Optional<DiscoveryResponse> pushed = Optional.empty();
    long giveUpAt = System.nanoTime() + Eventually.DEADLINE.toNanos();
    for (int i = 1; pushed.isEmpty() && System.nanoTime() < giveUpAt; i++) {
      pipeline.registry.put(reviews("10.0.2." + (i % 250 + 1)));
      pushed = client.next(XdsType.EDS, Duration.ofMillis(100));
    }

    assertThat(pushed).as("a push while changes kept coming every 100 ms").isPresent();
  }

  @Test
  void proxyOfANewGroup_isServedAtOnce_whileAChangeIsStillBeingDebounced() {
    start(Duration.ofMinutes(1), Duration.ofMinutes(1), true);
    watchReviewsEndpoints();

    pipeline.registry.put(reviews("10.0.0.2"));
    try (AdsClient newcomer =
        AdsClient.connect(pipeline.xdsPort(), Nodes.sidecar("details-1", "details", "default"))) {
      DiscoveryResponse endpoints = newcomer.fetch(XdsType.EDS, REVIEWS);

      assertThat(Unpacked.endpoints(endpoints, REVIEWS)).containsExactly("10.0.0.1:9080");
    }
    assertThat(client.nextWithinQuietPeriod(XdsType.EDS)).isEmpty();
  }

  @Test
  void aPushThatRunsOutOfMemory_failsAlone_andTheNextChangeIsStillPushed() {
    AtomicBoolean outOfMemory = new AtomicBoolean();
    PushScheduler scheduler =
        new PushScheduler(
            () -> {
              if (outOfMemory.getAndSet(false)) {
                throw new OutOfMemoryError("Cannot reserve 2097152 bytes of direct buffer memory");
              }
              return List.of(reviews("10.0.0.1"));
            },
            () -> true,
            MeshSettings.DEFAULT,
            new SextantConfig.Push(Duration.ofMillis(1), Duration.ofMillis(10)),
            new XdsStreams(),
            new Metrics());
    scheduler.start();
    try {
      Eventually.until("the first push", scheduler::isReady);
      long generation = scheduler.mesh().generation();

      outOfMemory.set(true);
      scheduler.onRules("rules", RuleSet.EMPTY);
      Eventually.until("the push that runs out of memory", () -> !outOfMemory.get());
      scheduler.onRules("rules", RuleSet.EMPTY);

      Eventually.until(
          "the next change to be pushed", () -> scheduler.mesh().generation() == generation + 1);
    } finally {
      scheduler.close();
    }
  }

  @Test
  void recomputationThatChangesNothing_sendsProxiesNothing() {
    start(Duration.ofMillis(10), Duration.ofMillis(100), true);
    client.fetch(XdsType.LDS);
    client.fetch(XdsType.CDS);
    // The first push may still be finishing: its generation must not pass for the recomputation's.
    Eventually.until("the first push", () -> pipeline.metrics.meshGeneration.get() > 0);
    long generation = pipeline.metrics.meshGeneration.get();
    long pushes = pipeline.metrics.pushes.get();

    pipeline.scheduler.onRules("rules", RuleSet.EMPTY);

    Eventually.until(
        "the mesh to be recomputed", () -> pipeline.metrics.meshGeneration.get() > generation);
    assertThat(client.typesArrivingWithinQuietPeriod()).isEmpty();
    assertThat(pipeline.metrics.pushes.get()).isEqualTo(pushes);
  }

  @Test
  void groupWhoseProxiesAllLeft_keepsBeingUpdated_soAReconnectingProxyFindsCurrentConfig() {
    start(Duration.ofMillis(10), Duration.ofMillis(100), true);
    client.fetch(XdsType.EDS, REVIEWS);
    client.close();
    client = null;
    Eventually.until("the proxy to be gone", () -> pipeline.metrics.connectedProxies.get() == 0);

    pipeline.registry.put(reviews("10.0.0.2"));

    Eventually.holds(
        () ->
            assertThat(pipeline.scheduler.snapshot(GROUP).orElseThrow().xdsResources().endpoints())
                .anySatisfy(
                    cla ->
                        assertThat(cla.toString())
                            .contains("10.0.0.2")
                            .doesNotContain("10.0.0.1")));
  }

  @Test
  void groupIdleForLongerThanTheIdleTime_isDropped() {
    pipeline =
        new Pipeline(
            new SextantConfig.Push(Duration.ofMillis(10), Duration.ofMillis(100)),
            Duration.ofMillis(200),
            true,
            reviews("10.0.0.1"));
    client =
        AdsClient.connect(
            pipeline.xdsPort(), Nodes.sidecar("productpage-1", "productpage", "default"));
    client.fetch(XdsType.LDS);
    assertThat(pipeline.scheduler.groups()).containsKey(GROUP);

    client.close();
    client = null;

    Eventually.holds(() -> assertThat(pipeline.scheduler.groups()).isEmpty());
    assertThat(pipeline.scheduler.snapshot(GROUP)).isEmpty();
  }
}
