package io.sextant.server;

import static io.sextant.server.testing.TestMesh.NAMESPACE;
import static io.sextant.server.testing.TestMesh.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.sextant.server.testing.AdsClient;
import io.sextant.server.testing.Nodes;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** From ServiceEntry and rule files to what a state-of-the-world ADS client receives. */
class StateOfTheWorldXdsTest {
  private static final Node PRODUCTPAGE = TestMesh.productpage("productpage-v1-1");
  private static final String REVIEWS = TestMesh.outbound("reviews", 9080);
  private static final String RATINGS = TestMesh.outbound("ratings", 9080);
  private static final String MYSQL = TestMesh.outbound("mysql", 3306);

  @RegisterExtension final TestMesh mesh = new TestMesh();

  @BeforeEach
  void start() {
    mesh.bookinfo().start();
  }

  @Test
  void sidecarSubscribingLikeEnvoy_receivesTheServiceEntriesUnderIstioNames() {
    AdsClient envoy = mesh.sotw(PRODUCTPAGE);

    Map<XdsType, DiscoveryResponse> received = envoy.fetchEverything();

    assertThat(Unpacked.names(received.get(XdsType.LDS)))
        .containsExactlyInAnyOrder("virtualOutbound", "0.0.0.0_9080", "0.0.0.0_3306");
    assertThat(Unpacked.names(received.get(XdsType.CDS)))
        .containsExactlyInAnyOrder(REVIEWS, RATINGS, MYSQL, "PassthroughCluster");
    assertThat(Unpacked.names(received.get(XdsType.EDS)))
        .containsExactlyInAnyOrder(REVIEWS, RATINGS, MYSQL);
    assertThat(Unpacked.endpoints(received.get(XdsType.EDS), REVIEWS))
        .containsExactlyInAnyOrder("10.0.0.1:9080", "10.0.0.2:9080");
    assertThat(Unpacked.rdsNames(received.get(XdsType.LDS))).containsExactly("9080");
    assertThat(Unpacked.names(received.get(XdsType.RDS))).containsExactly("9080");
    VirtualHost reviews = virtualHost(received.get(XdsType.RDS), host("reviews") + ":9080");
    assertThat(reviews.getDomainsList())
        .contains(host("reviews"), host("reviews") + ":9080", "reviews", "reviews:9080");
    assertThat(received.values())
        .allSatisfy(
            r -> {
              assertThat(r.getVersionInfo()).as("version of %s", r.getTypeUrl()).isNotEmpty();
              assertThat(r.getNonce()).as("nonce of %s", r.getTypeUrl()).isNotEmpty();
            });
    assertThat(received.values().stream().map(DiscoveryResponse::getNonce).distinct()).hasSize(4);
  }

  @Test
  void editingOnlyAnEndpoint_pushesNewEndpointsAndNothingElse() {
    AdsClient envoy = mesh.sotw(PRODUCTPAGE);
    DiscoveryResponse before = envoy.fetchEverything().get(XdsType.EDS);

    mesh.httpService("reviews", 9080, "10.0.0.1", "10.0.0.5");

    DiscoveryResponse after = envoy.next(XdsType.EDS);
    envoy.ack(after);
    assertThat(Unpacked.endpoints(after, REVIEWS))
        .containsExactlyInAnyOrder("10.0.0.1:9080", "10.0.0.5:9080");
    // Only the changed assignment travels: state-of-the-world EDS need not repeat the others.
    assertThat(Unpacked.names(after)).containsExactly(REVIEWS);
    assertThat(after.getVersionInfo()).isNotEqualTo(before.getVersionInfo());
    assertThat(after.getNonce()).isNotEqualTo(before.getNonce());
    assertThat(envoy.typesArrivingWithinQuietPeriod()).isEmpty();
  }

  @Test
  void endpointChange_sendsNothingToAProxyWatchingOnlyOtherClusters() {
    AdsClient watchesReviews = mesh.sotw(PRODUCTPAGE);
    watchesReviews.fetch(XdsType.EDS, REVIEWS);
    AdsClient watchesRatings = mesh.sotw(TestMesh.productpage("productpage-v1-2"));
    watchesRatings.fetch(XdsType.EDS, RATINGS);

    mesh.httpService("reviews", 9080, "10.0.0.9");

    assertThat(Unpacked.endpoints(watchesReviews.next(XdsType.EDS), REVIEWS))
        .containsExactly("10.0.0.9:9080");
    assertThat(watchesRatings.typesArrivingWithinQuietPeriod()).isEmpty();
  }

  @Test
  void addingAService_pushesItsListenerPortClusterAndEndpoints() {
    AdsClient envoy = mesh.sotw(PRODUCTPAGE);
    envoy.fetchEverything();

    mesh.service("redis", 6379, "TCP", "10.0.0.7");

    assertThat(Unpacked.names(envoy.next(XdsType.LDS))).contains("0.0.0.0_6379");
    DiscoveryResponse clusters = envoy.next(XdsType.CDS);
    assertThat(Unpacked.names(clusters)).contains("outbound|6379||" + host("redis"));
    envoy.ack(clusters);
    DiscoveryResponse endpoints =
        envoy.fetch(XdsType.EDS, Unpacked.edsClusterNames(clusters).toArray(String[]::new));
    assertThat(Unpacked.endpoints(endpoints, "outbound|6379||" + host("redis")))
        .containsExactly("10.0.0.7:6379");
  }

  @Test
  void deletingAServiceFile_withdrawsItsCluster() {
    AdsClient envoy = mesh.sotw(PRODUCTPAGE);
    envoy.fetchEverything();

    mesh.delete("services/mysql.yaml");

    assertThat(Unpacked.names(envoy.next(XdsType.CDS)))
        .containsExactlyInAnyOrder(REVIEWS, RATINGS, "PassthroughCluster");
    assertThat(Unpacked.names(envoy.next(XdsType.LDS))).doesNotContain("0.0.0.0_3306");
  }

  @Test
  void writingACanaryRule_pushesSubsetClustersAndAWeightedRoute() {
    AdsClient envoy = mesh.sotw(PRODUCTPAGE);
    envoy.fetchEverything();

    mesh.canary("reviews", 90, 10);

    assertThat(Unpacked.names(envoy.next(XdsType.CDS)))
        .contains("outbound|9080|v1|" + host("reviews"), "outbound|9080|v2|" + host("reviews"));
    VirtualHost reviews = virtualHost(envoy.next(XdsType.RDS), host("reviews") + ":9080");
    RouteAction action = reviews.getRoutes(0).getRoute();
    assertThat(action.getWeightedClusters().getClustersList())
        .extracting(WeightedCluster.ClusterWeight::getName, c -> c.getWeight().getValue())
        .containsExactly(
            tuple("outbound|9080|v1|" + host("reviews"), 90),
            tuple("outbound|9080|v2|" + host("reviews"), 10));
  }

  @Test
  void nodeSentOnlyOnTheFirstRequest_stillGetsConfigurationOnLaterRequests() {
    AdsClient envoy = mesh.sotw(PRODUCTPAGE).sendNodeOnlyOnce();

    Map<XdsType, DiscoveryResponse> received = envoy.fetchEverything();

    assertThat(Unpacked.names(received.get(XdsType.CDS))).contains(REVIEWS, RATINGS, MYSQL);
    assertThat(Unpacked.endpoints(received.get(XdsType.EDS), REVIEWS)).hasSize(2);
    assertThat(Unpacked.names(received.get(XdsType.RDS))).containsExactly("9080");
    mesh.httpService("reviews", 9080, "10.0.0.8");
    assertThat(Unpacked.endpoints(envoy.next(XdsType.EDS), REVIEWS))
        .containsExactly("10.0.0.8:9080");
  }

  @Test
  void sidecarWithoutIptables_getsLoopbackListenersAndItsWorkloadsInboundListener() {
    AdsClient envoy =
        mesh.sotw(Nodes.sidecarWithoutIptables("reviews-v1-1", "reviews", NAMESPACE, "10.0.0.7"));

    Map<XdsType, DiscoveryResponse> received = envoy.fetchEverything();

    assertThat(Unpacked.names(received.get(XdsType.LDS)))
        .containsExactlyInAnyOrder("127.0.0.1_9080", "127.0.0.1_3306", "10.0.0.7_9080");
    assertThat(Unpacked.names(received.get(XdsType.CDS)))
        .contains("inbound|9080||", REVIEWS)
        .doesNotContain("PassthroughCluster");
  }

  @Test
  void sidecarListingItsInstanceIpTwice_stillGetsItsListeners() {
    AdsClient envoy =
        mesh.sotw(
            Nodes.sidecarWithoutIptables(
                "reviews-v1-1", "reviews", NAMESPACE, "10.0.0.7,10.0.0.7"));

    envoy.request(XdsType.LDS);

    assertThat(Unpacked.names(envoy.next(XdsType.LDS))).containsOnlyOnce("10.0.0.7_9080");
  }

  @Test
  void proxylessGrpcAskingForAKnownAndAnUnknownListener_getsTheKnownOne() {
    AdsClient grpc = mesh.sotw(Nodes.grpc("grpc-client-1", NAMESPACE));

    DiscoveryResponse listeners =
        grpc.fetch(XdsType.LDS, host("reviews") + ":9080", host("details") + ":9080");

    assertThat(Unpacked.names(listeners)).containsExactly(host("reviews") + ":9080");
    assertThat(Unpacked.resources(listeners, Listener.class).get(0).hasApiListener()).isTrue();
    assertThat(Unpacked.rdsNames(listeners)).containsExactly("9080");
    DiscoveryResponse routes = grpc.fetch(XdsType.RDS, "9080");
    assertThat(virtualHost(routes, host("reviews") + ":9080").getDomainsList())
        .contains(host("reviews") + ":9080");
  }

  @Test
  void proxylessGrpcWaitingForAnUnknownListener_getsItOnceTheServiceExists() {
    AdsClient grpc = mesh.sotw(Nodes.grpc("grpc-client-1", NAMESPACE));
    grpc.fetch(XdsType.LDS, host("reviews") + ":9080", host("details") + ":9080");

    mesh.httpService("details", 9080, "10.0.0.6");

    assertThat(Unpacked.names(grpc.next(XdsType.LDS)))
        .containsExactlyInAnyOrder(host("reviews") + ":9080", host("details") + ":9080");
  }

  private static VirtualHost virtualHost(DiscoveryResponse routes, String name) {
    List<VirtualHost> found =
        Unpacked.virtualHosts(routes).filter(v -> v.getName().equals(name)).toList();
    assertThat(found).as("virtual host %s", name).hasSize(1);
    return found.get(0);
  }
}
