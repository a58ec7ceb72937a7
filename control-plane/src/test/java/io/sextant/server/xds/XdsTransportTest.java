package io.sextant.server.xds;

import static io.sextant.server.testing.RawHttp2.ACK;
import static io.sextant.server.testing.RawHttp2.RST_STREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
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
import io.sextant.server.testing.RawHttp2;
import io.sextant.server.testing.Unpacked;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
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

  /** The value of {@code id} in a SETTINGS frame's payload, if set there. */
  private static Integer setting(RawHttp2.Frame settings, int id) {
    ByteBuffer b = ByteBuffer.wrap(settings.payload());
    Integer value = null;
    while (b.remaining() >= 6) {
      int at = b.getShort() & 0xffff;
      int v = b.getInt();
      if (at == id) {
        value = v;
      }
    }
    return value;
  }

  @ParameterizedTest
  @EnumSource(XdsTransport.class)
  void streamsPastTheLimit_areRefused_andTheConnectionGoesOn(XdsTransport transport)
      throws Exception {
    try (Pipeline pipeline = pipeline(transport);
        RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      RawHttp2.Frame settings =
          h2.await("the server's SETTINGS", f -> f.type() == RawHttp2.SETTINGS && !f.has(ACK));
      assertThat(setting(settings, 0x3)).as("SETTINGS_MAX_CONCURRENT_STREAMS").isEqualTo(100);

      for (int stream = 1; stream <= 199; stream += 2) {
        h2.open(stream, RawHttp2.SOTW_ADS, false); // 100 streams
      }
      h2.open(201, RawHttp2.SOTW_ADS, false);
      RawHttp2.Frame refused =
          h2.await("a reset of stream 201", f -> f.type() == RST_STREAM && f.stream() == 201);
      assertThat(ByteBuffer.wrap(refused.payload()).getInt()).as("REFUSED_STREAM").isEqualTo(7);

      // One stream ends: the next one opened is served.
      h2.frame(RST_STREAM, 0, 1, ByteBuffer.allocate(4).putInt(8).array()); // CANCEL
      h2.open(203, RawHttp2.SOTW_ADS, false);
      h2.frame(
          RawHttp2.DATA,
          0,
          203,
          RawHttp2.grpc(
              DiscoveryRequest.newBuilder()
                  .setNode(Nodes.sidecar("productpage-1", "productpage", "default"))
                  .setTypeUrl(XdsType.CDS.typeUrl())
                  .build()));
      h2.await("a response on stream 203", f -> f.type() == RawHttp2.DATA && f.stream() == 203);
      // No other stream was reset (grpc-java answers the client's own reset of stream 1 with one).
      assertThat(h2.read)
          .noneMatch(f -> f.type() == RST_STREAM && f.stream() != 201 && f.stream() != 1)
          .noneMatch(f -> f.type() == RawHttp2.GOAWAY);
    }
  }
}
