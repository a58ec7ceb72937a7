package io.sextant.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.sextant.server.testing.DeltaAdsClient;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsType;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Incremental xDS: each response carries what changed, and only that. */
class DeltaXdsTest {
  private static final String PROXY = "productpage-v1-1";
  private static final String REVIEWS = TestMesh.outbound("reviews", 9080);
  private static final String RATINGS = TestMesh.outbound("ratings", 9080);
  private static final String MYSQL = TestMesh.outbound("mysql", 3306);

  @RegisterExtension final TestMesh mesh = new TestMesh();
  private DeltaAdsClient envoy;

  @BeforeEach
  void start() {
    mesh.bookinfo().start();
    envoy = mesh.delta(TestMesh.productpage(PROXY));
  }

  @Test
  void wildcardClusterSubscription_receivesEveryClusterWithItsVersion() {
    DeltaDiscoveryResponse clusters = envoy.fetch(XdsType.CDS);

    assertThat(Unpacked.names(clusters))
        .containsExactlyInAnyOrder(REVIEWS, RATINGS, MYSQL, "PassthroughCluster");
    assertThat(clusters.getResourcesList())
        .allSatisfy(r -> assertThat(r.getVersion()).isNotEmpty());
    assertThat(clusters.getSystemVersionInfo()).isNotEmpty();
    assertThat(clusters.getNonce()).isNotEmpty();
    assertThat(clusters.getRemovedResourcesList()).isEmpty();
  }

  @Test
  void endpointChange_sendsOnlyTheChangedAssignment() {
    envoy.fetch(XdsType.CDS);
    DeltaDiscoveryResponse first = envoy.fetch(XdsType.EDS, REVIEWS, RATINGS, MYSQL);
    assertThat(Unpacked.names(first)).containsExactlyInAnyOrder(REVIEWS, RATINGS, MYSQL);

    mesh.httpService("reviews", 9080, "10.0.0.1", "10.0.0.5");

    DeltaDiscoveryResponse change = envoy.next(XdsType.EDS);
    envoy.ack(change);
    assertThat(Unpacked.names(change)).containsExactly(REVIEWS);
    assertThat(Unpacked.endpoints(Unpacked.resources(change, ClusterLoadAssignment.class).get(0)))
        .containsExactlyInAnyOrder("10.0.0.1:9080", "10.0.0.5:9080");
    assertThat(change.getRemovedResourcesList()).isEmpty();
    assertThat(envoy.typeUrlsArrivingWithinQuietPeriod()).isEmpty();
  }

  @Test
  void endpointChange_sendsNothingToAProxyWatchingOnlyOtherClusters() {
    envoy.fetch(XdsType.EDS, REVIEWS);
    DeltaAdsClient watchesRatings = mesh.delta(TestMesh.productpage("productpage-v1-2"));
    watchesRatings.fetch(XdsType.EDS, RATINGS);

    mesh.httpService("reviews", 9080, "10.0.0.9");

    DeltaDiscoveryResponse change = envoy.next(XdsType.EDS);
    assertThat(Unpacked.names(change)).containsExactly(REVIEWS);
    assertThat(watchesRatings.typeUrlsArrivingWithinQuietPeriod()).isEmpty();
  }

  @Test
  void deletingAService_reportsItsClusterRemoved() {
    envoy.fetch(XdsType.CDS);

    mesh.delete("services/ratings.yaml");

    DeltaDiscoveryResponse change = envoy.next(XdsType.CDS);
    assertThat(change.getRemovedResourcesList()).containsExactly(RATINGS);
    assertThat(change.getResourcesList()).isEmpty();
  }

  @Test
  void nackedClusters_areNotSentAgainUntilTheyChange() {
    envoy.subscribe(XdsType.CDS);
    envoy.nack(envoy.next(XdsType.CDS), "clusters rejected by the test proxy");

    assertThat(envoy.nextWithinQuietPeriod(XdsType.CDS)).isEmpty();
    mesh.httpService("details", 9080, "10.0.0.6");
    assertThat(Unpacked.names(envoy.next(XdsType.CDS)))
        .contains(TestMesh.outbound("details", 9080));
  }

  @Test
  void deltaStream_isShownOnSynczWithAckedVersions() {
    DeltaDiscoveryResponse clusters = envoy.fetch(XdsType.CDS);

    Eventually.holds(
        () -> {
          assertThat(mesh.admin().syncz(PROXY, XdsType.CDS).get("acked").getAsString())
              .isEqualTo(clusters.getSystemVersionInfo());
          assertThat(mesh.admin().syncz(PROXY).orElseThrow().get("protocol").getAsString())
              .isEqualTo("delta");
        });
  }

  @Test
  void aProxyReconnectingWithEverythingCurrent_isSentNothing_andShownHoldingTheCurrentVersion() {
    DeltaDiscoveryResponse clusters = envoy.fetch(XdsType.CDS);
    Map<String, String> held = new HashMap<>();
    clusters.getResourcesList().forEach(r -> held.put(r.getName(), r.getVersion()));
    envoy.close();
    Eventually.holds(() -> assertThat(mesh.admin().syncz(PROXY)).isEmpty());

    DeltaAdsClient again = mesh.delta(TestMesh.productpage(PROXY));
    again.resume(XdsType.CDS, held);

    assertThat(again.nextWithinQuietPeriod(XdsType.CDS)).isEmpty();
    assertThat(mesh.admin().syncz(PROXY, XdsType.CDS).get("acked").getAsString())
        .isEqualTo(clusters.getSystemVersionInfo());
    assertThat(mesh.admin().syncz(PROXY, XdsType.CDS).get("sent").getAsString()).isEmpty();
  }
}
