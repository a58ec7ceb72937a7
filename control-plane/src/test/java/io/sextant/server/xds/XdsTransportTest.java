package io.sextant.server.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.sextant.fixtures.Services;
import io.sextant.model.MeshService;
import io.sextant.server.config.SextantConfig;
import io.sextant.server.config.SextantConfig.XdsTransport;
import io.sextant.server.testing.AdsClient;
import io.sextant.server.testing.DeltaAdsClient;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.Nodes;
import io.sextant.server.testing.Pipeline;
import io.sextant.server.testing.Unpacked;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both transports, through grpc-java's own client: the same subscriptions get the same answers,
 * changes are pushed, and a stream the proxy ends is ended. The end-to-end tests (Envoy, gRPC's xDS
 * client) run on the default transport.
 */
class XdsTransportTest {
  private static final String REVIEWS_HOST = "reviews.default.svc.cluster.local";
  private static final String REVIEWS = "outbound|9080||" + REVIEWS_HOST;

  private static MeshService reviews(String address) {
    return Services.http(REVIEWS_HOST, 9080).endpoint(address, e -> {}).build();
  }

  private static Pipeline pipeline(XdsTransport transport) {
    return new Pipeline(
        new SextantConfig.Push(Duration.ZERO, Duration.ZERO),
        Duration.ofSeconds(60),
        true,
        transport,
        reviews("10.0.0.1"));
  }

  @ParameterizedTest
  @EnumSource(XdsTransport.class)
  void stateOfTheWorld_endpointChangesArePushed_andAnEndedStreamIsForgotten(
      XdsTransport transport) {
    try (Pipeline pipeline = pipeline(transport);
        AdsClient client =
            AdsClient.connect(
                pipeline.xdsPort(), Nodes.sidecar("productpage-1", "productpage", "default"))) {
      assertThat(Unpacked.endpoints(client.fetch(XdsType.EDS, REVIEWS), REVIEWS))
          .containsExactly("10.0.0.1:9080");

      pipeline.registry.put(reviews("10.0.0.2"));
      DiscoveryResponse pushed = client.next(XdsType.EDS);
      assertThat(Unpacked.endpoints(pushed, REVIEWS)).containsExactly("10.0.0.2:9080");
      client.ack(pushed);
      assertThat(pipeline.metrics.connectedProxies.get()).isEqualTo(1L);

      client.halfClose();
      Eventually.until("the proxy is gone", () -> pipeline.metrics.connectedProxies.get() == 0);
    }
  }

  @ParameterizedTest
  @EnumSource(XdsTransport.class)
  void aPortInUse_isAnErrorNamingIt_andLeavesNoThreadBehind(XdsTransport transport)
      throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      XdsServer server =
          new XdsServer(
              "127.0.0.1", taken.getLocalPort(), transport, new XdsStreams(), LoneTracker.create());
      assertThatThrownBy(server::start)
          .isInstanceOf(IOException.class)
          .hasMessageContaining(Integer.toString(taken.getLocalPort()));
    }
    // A JVM whose control plane could not start must be able to exit.
    Eventually.until(
        "the server's threads are gone",
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive() && !t.isDaemon())
                .noneMatch(t -> t.getName().startsWith("sextant-xds")));
  }

  @ParameterizedTest
  @EnumSource(XdsTransport.class)
  void delta_endpointChangesArePushed(XdsTransport transport) throws Exception {
    try (Pipeline pipeline = pipeline(transport);
        DeltaAdsClient client =
            DeltaAdsClient.connect(
                pipeline.xdsPort(), Nodes.sidecar("productpage-1", "productpage", "default"))) {
      DeltaDiscoveryResponse first = client.fetch(XdsType.EDS, REVIEWS);
      assertThat(Unpacked.names(first)).containsExactly(REVIEWS);

      pipeline.registry.put(reviews("10.0.0.2"));
      DeltaDiscoveryResponse pushed = client.next(XdsType.EDS);
      ClusterLoadAssignment assignment =
          pushed.getResources(0).getResource().unpack(ClusterLoadAssignment.class);
      assertThat(Unpacked.endpoints(assignment)).containsExactly("10.0.0.2:9080");
    }
  }
}
