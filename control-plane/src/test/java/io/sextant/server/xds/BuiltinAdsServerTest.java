package io.sextant.server.xds;

import static io.sextant.server.testing.RawHttp2.ACK;
import static io.sextant.server.testing.RawHttp2.DATA;
import static io.sextant.server.testing.RawHttp2.DELTA_ADS;
import static io.sextant.server.testing.RawHttp2.END_HEADERS;
import static io.sextant.server.testing.RawHttp2.END_STREAM;
import static io.sextant.server.testing.RawHttp2.HEADERS;
import static io.sextant.server.testing.RawHttp2.PING;
import static io.sextant.server.testing.RawHttp2.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.netty.shaded.io.netty.buffer.AbstractByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.UnpooledByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.sextant.fixtures.Services;
import io.sextant.model.MeshService;
import io.sextant.server.config.SextantConfig;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.Nodes;
import io.sextant.server.testing.Pipeline;
import io.sextant.server.testing.RawHttp2;
import io.sextant.server.testing.RawHttp2.Frame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sextant's own HTTP/2 framing of ADS, frame by frame: what Envoy and gRPC's clients may send that
 * a load test never shows (split header blocks, small windows, split and joined messages,
 * cancellations), and what they expect back.
 */
class BuiltinAdsServerTest {
  private static final int STREAM = 1;

  private Pipeline pipeline;

  @BeforeEach
  void start() {
    MeshService[] services =
        IntStream.range(0, 8)
            .mapToObj(
                i ->
                    Services.http("svc-" + i + ".default.svc.cluster.local", 8080)
                        .endpoint("10.0.0." + (i + 1), e -> {})
                        .build())
            .toArray(MeshService[]::new);
    pipeline =
        new Pipeline(
            new SextantConfig.Push(Duration.ZERO, Duration.ZERO),
            Duration.ofSeconds(60),
            true,
            SextantConfig.XdsTransport.BUILTIN,
            services);
  }

  @AfterEach
  void stop() {
    pipeline.close();
  }

  private static DeltaDiscoveryRequest subscribe(XdsType type) {
    return DeltaDiscoveryRequest.newBuilder()
        .setNode(Nodes.sidecar("sidecar~10.0.0.1~a.default~default.svc", "a", "default"))
        .setTypeUrl(type.typeUrl())
        .build();
  }

  private static List<DeltaDiscoveryResponse> responses(RawHttp2 h2) throws Exception {
    List<DeltaDiscoveryResponse> all = new java.util.ArrayList<>();
    for (byte[] m : RawHttp2.messages(h2.data(STREAM))) {
      all.add(DeltaDiscoveryResponse.parseFrom(m));
    }
    return all;
  }

  private static Frame firstResponseData(RawHttp2 h2) throws Exception {
    return h2.await("a DATA frame on the stream", f -> f.type() == DATA && f.stream() == STREAM);
  }

  /**
   * Opens a delta stream, subscribes to clusters and waits for the answer and the proxy's count.
   */
  private void connectedProxy(RawHttp2 h2) throws Exception {
    h2.open(STREAM, DELTA_ADS, false);
    h2.frame(DATA, 0, STREAM, RawHttp2.grpc(subscribe(XdsType.CDS)));
    firstResponseData(h2);
    Eventually.until("the proxy is connected", () -> pipeline.metrics.connectedProxies.get() == 1);
  }

  /** The HEADERS frame that ends the stream. */
  private static Frame trailers(RawHttp2 h2) throws Exception {
    return h2.await(
        "trailers", f -> f.type() == HEADERS && f.stream() == STREAM && f.has(END_STREAM));
  }

  @Test
  void aHeaderBlockSplitIntoContinuationFrames_opensTheStream() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      byte[] block = h2.requestHeaders(STREAM, DELTA_ADS);
      int half = block.length / 2;
      h2.frame(HEADERS, 0, STREAM, Arrays.copyOfRange(block, 0, half));
      h2.frame(
          RawHttp2.CONTINUATION,
          END_HEADERS,
          STREAM,
          Arrays.copyOfRange(block, half, block.length));
      h2.frame(DATA, 0, STREAM, RawHttp2.grpc(subscribe(XdsType.CDS)));

      firstResponseData(h2);
      h2.drain(200);
      DeltaDiscoveryResponse r = responses(h2).get(0);
      assertThat(r.getTypeUrl()).isEqualTo(XdsType.CDS.typeUrl());
      assertThat(r.getResourcesList())
          .extracting(x -> x.getName())
          .contains("outbound|8080||svc-0.default.svc.cluster.local");
    }
  }

  @Test
  void aHeaderBlockThatNeverEnds_closesTheConnection() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      byte[] block = h2.requestHeaders(STREAM, DELTA_ADS);
      h2.frame(HEADERS, 0, STREAM, block);
      for (int i = 0; i < 5; i++) {
        h2.frame(RawHttp2.CONTINUATION, 0, STREAM, new byte[16_000]);
      }
      Frame goAway = h2.await("a GOAWAY", f -> f.type() == RawHttp2.GOAWAY);
      assertThat(ByteBuffer.wrap(goAway.payload()).getInt(4)).as("ENHANCE_YOUR_CALM").isEqualTo(11);
    }
  }

  @Test
  void aResponseLargerThanTheProxysWindow_waitsForTheWindowToGrow() throws Exception {
    int window = 100;
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), window)) {
      h2.open(STREAM, DELTA_ADS, false);
      h2.frame(DATA, 0, STREAM, RawHttp2.grpc(subscribe(XdsType.CDS)));
      firstResponseData(h2);
      h2.drain(300);
      assertThat(h2.data(STREAM)).as("bytes sent within the proxy's window").hasSize(window);
      assertThat(RawHttp2.messages(h2.data(STREAM))).isEmpty();

      h2.frame(WINDOW_UPDATE, 0, STREAM, ByteBuffer.allocate(4).putInt(1 << 20).array());
      h2.drain(300);
      List<DeltaDiscoveryResponse> got = responses(h2);
      assertThat(got).hasSize(1);
      assertThat(got.get(0).getResourcesCount()).isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  void messagesSplitAcrossFramesOrSharingOne_areAllRead() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.open(STREAM, DELTA_ADS, false);
      byte[] cds = RawHttp2.grpc(subscribe(XdsType.CDS));
      h2.frame(DATA, 0, STREAM, Arrays.copyOfRange(cds, 0, 3)); // not even the whole prefix
      h2.frame(DATA, 0, STREAM, Arrays.copyOfRange(cds, 3, cds.length));
      firstResponseData(h2);
      h2.drain(200);
      DeltaDiscoveryResponse first = responses(h2).get(0);

      // The ACK of the clusters and the subscription to listeners, in one frame.
      DeltaDiscoveryRequest ack =
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(XdsType.CDS.typeUrl())
              .setResponseNonce(first.getNonce())
              .build();
      byte[] a = RawHttp2.grpc(ack);
      byte[] l = RawHttp2.grpc(subscribe(XdsType.LDS));
      byte[] both = Arrays.copyOf(a, a.length + l.length);
      System.arraycopy(l, 0, both, a.length, l.length);
      h2.frame(DATA, 0, STREAM, both);
      h2.drain(300);

      assertThat(responses(h2))
          .extracting(DeltaDiscoveryResponse::getTypeUrl)
          .containsExactly(XdsType.CDS.typeUrl(), XdsType.LDS.typeUrl());
    }
  }

  /**
   * A state-of-the-world EDS request naming {@code clusters} and enough clusters that do not exist
   * to span about ten frames, as Envoy's ACKs do in a large mesh.
   */
  private static byte[] largeEdsRequest(List<String> clusters) {
    DiscoveryRequest.Builder r =
        DiscoveryRequest.newBuilder()
            .setNode(Nodes.sidecar("sidecar~10.0.0.1~a.default~default.svc", "a", "default"))
            .setTypeUrl(XdsType.EDS.typeUrl())
            .addAllResourceNames(clusters);
    for (int i = 0; i < 3000; i++) {
      r.addResourceNames("outbound|8080||absent-" + i + ".default.svc.cluster.local");
    }
    return RawHttp2.grpc(r.build());
  }

  private static List<String> cluster(int... services) {
    return Arrays.stream(services)
        .mapToObj(i -> "outbound|8080||svc-" + i + ".default.svc.cluster.local")
        .toList();
  }

  private static List<String> assignedClusters(RawHttp2 h2) throws Exception {
    List<byte[]> messages = RawHttp2.messages(h2.data(STREAM));
    assertThat(messages).hasSize(1);
    return DiscoveryResponse.parseFrom(messages.get(0)).getResourcesList().stream()
        .map(a -> unpackName(a))
        .toList();
  }

  private static String unpackName(com.google.protobuf.Any a) {
    try {
      return a.unpack(ClusterLoadAssignment.class).getClusterName();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void requestsSpanningManyFrames_onSeveralConnectionsAtOnce_areEachReadWhole() throws Exception {
    // More connections than event loops, so that some share one and gather at the same time.
    List<List<String>> asked =
        List.of(cluster(0, 1), cluster(2), cluster(3, 4), cluster(5), cluster(6, 7));
    List<RawHttp2> connections = new java.util.ArrayList<>();
    try {
      List<byte[]> requests = new java.util.ArrayList<>();
      for (List<String> clusters : asked) {
        RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20);
        connections.add(h2);
        h2.open(STREAM, RawHttp2.SOTW_ADS, false);
        requests.add(largeEdsRequest(clusters));
      }
      assertThat(requests.get(0).length).isGreaterThan(8 * 16_384);
      // Each request is cut inside its prefix, then every 16,000 bytes from a different offset,
      // and the connections take turns: whatever gathers one must not take another's pieces.
      int[] sent = new int[asked.size()];
      for (int round = 0;
          IntStream.range(0, sent.length).anyMatch(i -> sent[i] < requests.get(i).length);
          round++) {
        for (int i = 0; i < sent.length; i++) {
          byte[] r = requests.get(i);
          if (sent[i] == r.length) {
            continue;
          }
          int to = round == 0 ? 1 + i % 4 : Math.min(r.length, sent[i] + 16_000 - 1_000 * i);
          connections.get(i).frame(DATA, 0, STREAM, Arrays.copyOfRange(r, sent[i], to));
          sent[i] = to;
        }
      }
      for (int i = 0; i < asked.size(); i++) {
        RawHttp2 h2 = connections.get(i);
        firstResponseData(h2);
        h2.drain(100);
        assertThat(assignedClusters(h2)).containsExactlyInAnyOrderElementsOf(asked.get(i));
      }
    } finally {
      connections.forEach(RawHttp2::close);
    }
  }

  @Test
  void requestsBeyondHalfTheWindow_areCreditedBack() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.open(STREAM, DELTA_ADS, false);
      h2.frame(DATA, 0, STREAM, RawHttp2.grpc(subscribe(XdsType.CDS)));
      firstResponseData(h2);
      // Requests the server must read and ignore: unknown types, 8 KiB each, 600 KiB in all.
      DeltaDiscoveryRequest filler =
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl("type.googleapis.com/unknown." + "x".repeat(8192))
              .build();
      for (int i = 0; i < 75; i++) {
        h2.frame(DATA, 0, STREAM, RawHttp2.grpc(filler));
      }
      // The server's first WINDOW_UPDATE came before the first response: this one is new.
      Frame credit =
          h2.await(
              "a WINDOW_UPDATE for the connection",
              f -> f.type() == WINDOW_UPDATE && f.stream() == 0);
      assertThat(ByteBuffer.wrap(credit.payload()).getInt()).isGreaterThanOrEqualTo(512 * 1024);
      h2.await(
          "a WINDOW_UPDATE for the stream", f -> f.type() == WINDOW_UPDATE && f.stream() == STREAM);
    }
  }

  @Test
  void anUnknownMethod_isAnsweredUnimplemented() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.open(STREAM, "/grpc.health.v1.Health/Check", true);
      Frame f = h2.await("the answer", x -> x.type() == HEADERS && x.stream() == STREAM);
      assertThat(f.has(END_STREAM)).as("a trailers-only answer").isTrue();
      Http2Headers h = h2.decode(f);
      assertThat(h.status().toString()).isEqualTo("200");
      assertThat(h.get("grpc-status").toString()).isEqualTo("12");
      assertThat(h.get("grpc-message").toString()).contains("/grpc.health.v1.Health/Check");
    }
  }

  @Test
  void aPing_isAnswered() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8};
      h2.frame(PING, 0, 0, payload);
      Frame ack = h2.await("the PING's ACK", f -> f.type() == PING && f.has(RawHttp2.ACK));
      assertThat(ack.payload()).isEqualTo(payload);
    }
  }

  @Test
  void aClientPingingOnAndOn_isToldToCalmDown_asGrpcServersDo() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      for (int i = 0; i < 3; i++) {
        h2.frame(PING, 0, 0, new byte[8]);
      }
      Frame goAway = h2.await("a GOAWAY", f -> f.type() == RawHttp2.GOAWAY);
      ByteBuffer p = ByteBuffer.wrap(goAway.payload());
      assertThat(p.getInt(4)).as("ENHANCE_YOUR_CALM").isEqualTo(11);
      assertThat(new String(goAway.payload(), 8, goAway.payload().length - 8, "US-ASCII"))
          .isEqualTo("too_many_pings");
      assertThat(h2.read.stream().filter(f -> f.type() == PING && f.has(RawHttp2.ACK)))
          .as("the two pings within the limit are answered")
          .hasSize(2);
    }
  }

  @Test
  void streamsOpenedAndResetOnAndOn_endTheConnection() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      byte[] cancel = ByteBuffer.allocate(4).putInt(8).array();
      for (int i = 0; i <= FloodLimits.RESETS_PER_WINDOW; i++) {
        int stream = 1 + 2 * i;
        h2.open(stream, DELTA_ADS, false);
        h2.frame(RawHttp2.RST_STREAM, 0, stream, cancel);
      }
      Frame goAway = h2.await("a GOAWAY", f -> f.type() == RawHttp2.GOAWAY);
      ByteBuffer p = ByteBuffer.wrap(goAway.payload());
      assertThat(p.getInt(4)).as("ENHANCE_YOUR_CALM").isEqualTo(11);
      assertThat(p.getInt(0))
          .as("the last stream it took")
          .isEqualTo(1 + 2 * FloodLimits.RESETS_PER_WINDOW);
    }
  }

  /** One SETTINGS parameter. */
  private static byte[] setting(int id, long value) {
    return ByteBuffer.allocate(6).putShort((short) id).putInt((int) value).array();
  }

  /** The error code of the GOAWAY that ends the connection. */
  private static int goAwayError(RawHttp2 h2) throws Exception {
    Frame goAway = h2.await("a GOAWAY", f -> f.type() == RawHttp2.GOAWAY);
    return ByteBuffer.wrap(goAway.payload()).getInt(4);
  }

  @Test
  void settingsOnAndOn_endTheConnection_afterEachWithinTheLimitIsAnswered() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) { // its first SETTINGS
      for (int i = 1; i < FloodLimits.SETTINGS_PER_WINDOW; i++) {
        h2.frame(RawHttp2.SETTINGS, 0, 0, new byte[0]);
      }
      h2.drain(300);
      assertThat(h2.read.stream().filter(f -> f.type() == RawHttp2.SETTINGS && f.has(ACK)))
          .as("every SETTINGS within the limit is acknowledged")
          .hasSize(FloodLimits.SETTINGS_PER_WINDOW);
      assertThat(h2.read).noneMatch(f -> f.type() == RawHttp2.GOAWAY);

      h2.frame(RawHttp2.SETTINGS, 0, 0, new byte[0]);
      assertThat(goAwayError(h2)).as("ENHANCE_YOUR_CALM").isEqualTo(11);
    }
  }

  @Test
  void aFrameSizeBelowHttp2sMinimum_endsTheConnection() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.frame(RawHttp2.SETTINGS, 0, 0, setting(0x5, 16_383)); // SETTINGS_MAX_FRAME_SIZE
      assertThat(goAwayError(h2)).as("PROTOCOL_ERROR").isEqualTo(1);
    }
  }

  @Test
  void anInitialWindowBeyondTheLargest_endsTheConnection() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.frame(RawHttp2.SETTINGS, 0, 0, setting(0x4, 1L << 31)); // SETTINGS_INITIAL_WINDOW_SIZE
      assertThat(goAwayError(h2)).as("FLOW_CONTROL_ERROR").isEqualTo(3);
    }
  }

  @Test
  void controlFramesOfTheWrongLength_endTheConnection() throws Exception {
    int[][] frames = { // type, payload length
      {PING, 7}, {RawHttp2.RST_STREAM, 3}, {WINDOW_UPDATE, 5}, {RawHttp2.SETTINGS, 5}
    };
    for (int[] frame : frames) {
      try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
        h2.frame(frame[0], 0, frame[0] == RawHttp2.RST_STREAM ? STREAM : 0, new byte[frame[1]]);
        assertThat(goAwayError(h2))
            .as("FRAME_SIZE_ERROR for type %d of %d bytes", frame[0], frame[1])
            .isEqualTo(6);
      }
    }
  }

  private static byte[] increment(long n) {
    return ByteBuffer.allocate(4).putInt((int) n).array();
  }

  @Test
  void aConnectionWindowUpdateOfZero_orPastTheLargestWindow_endsTheConnection() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.frame(WINDOW_UPDATE, 0, 0, increment(0));
      assertThat(goAwayError(h2)).as("PROTOCOL_ERROR").isEqualTo(1);
    }
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.frame(WINDOW_UPDATE, 0, 0, increment(Integer.MAX_VALUE)); // on top of 65,535
      assertThat(goAwayError(h2)).as("FLOW_CONTROL_ERROR").isEqualTo(3);
    }
  }

  @Test
  void anInitialWindowThatTakesAStreamsWindowPastTheLargest_endsTheConnection() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      connectedProxy(h2);
      h2.drain(100);
      // The stream's window, at most 1 MiB now, grows to 2^31-1 less what the server sent...
      long sent = h2.data(STREAM).length;
      h2.frame(WINDOW_UPDATE, 0, STREAM, increment(Integer.MAX_VALUE - (1 << 20) + sent));
      h2.drain(100);
      assertThat(h2.read).noneMatch(f -> f.type() == RawHttp2.GOAWAY);
      // ...and a larger initial window would take it past.
      h2.frame(RawHttp2.SETTINGS, 0, 0, setting(0x4, (1 << 20) + 1));
      assertThat(goAwayError(h2)).as("FLOW_CONTROL_ERROR").isEqualTo(3);
    }
  }

  @Test
  void aStreamWindowUpdateOfZero_resetsTheStream_andTheConnectionGoesOn() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      connectedProxy(h2);
      h2.frame(WINDOW_UPDATE, 0, STREAM, increment(0));
      Frame reset = h2.await("a reset of the stream", f -> f.type() == RawHttp2.RST_STREAM);
      assertThat(reset.stream()).isEqualTo(STREAM);
      assertThat(ByteBuffer.wrap(reset.payload()).getInt()).as("PROTOCOL_ERROR").isEqualTo(1);
      Eventually.until("the proxy is gone", () -> pipeline.metrics.connectedProxies.get() == 0);

      h2.open(3, DELTA_ADS, false);
      h2.frame(DATA, 0, 3, RawHttp2.grpc(subscribe(XdsType.CDS)));
      h2.await("a response on a new stream", f -> f.type() == DATA && f.stream() == 3);
    }
  }

  @Test
  void theLargestFrameSizeAllowed_isTakenAndResponsesStillArrive() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.frame(RawHttp2.SETTINGS, 0, 0, setting(0x5, (1 << 24) - 1));
      connectedProxy(h2);
      h2.drain(200);
      assertThat(h2.read).noneMatch(f -> f.type() == RawHttp2.GOAWAY);
      assertThat(responses(h2).get(0).getResourcesCount()).isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  void aServerThatCloses_endsEachStreamUnavailable_thenTheConnectionWithGoAway() throws Exception {
    BuiltinAdsServer server =
        new BuiltinAdsServer("127.0.0.1", 0, pipeline.streams, pipeline.tracker);
    try (RawHttp2 h2 = new RawHttp2(server.port(), 1 << 20)) {
      h2.open(STREAM, DELTA_ADS, false);
      h2.frame(DATA, 0, STREAM, RawHttp2.grpc(subscribe(XdsType.CDS)));
      firstResponseData(h2);
      Eventually.until(
          "the proxy is connected", () -> pipeline.metrics.connectedProxies.get() == 1);

      Thread closing = new Thread(server::close);
      closing.start();

      Http2Headers h = h2.decode(trailers(h2));
      assertThat(h.get("grpc-status").toString()).isEqualTo("14"); // UNAVAILABLE
      assertThat(h.get("grpc-message").toString()).contains("shutting down");
      assertThat(goAwayError(h2)).as("NO_ERROR").isEqualTo(0);
      closing.join(10_000);
      Eventually.until("the proxy is gone", () -> pipeline.metrics.connectedProxies.get() == 0);
    } finally {
      server.close();
    }
  }

  @Test
  void aProxyThatEndsItsStream_isAnsweredOkAndForgotten() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      connectedProxy(h2);

      h2.frame(DATA, END_STREAM, STREAM, new byte[0]);
      Frame trailers = trailers(h2);
      assertThat(h2.decode(trailers).get("grpc-status").toString()).isEqualTo("0");
      Eventually.until("the proxy is gone", () -> pipeline.metrics.connectedProxies.get() == 0);
    }
  }

  @Test
  void aProxyThatCancels_isForgotten() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      connectedProxy(h2);

      h2.frame(RawHttp2.RST_STREAM, 0, STREAM, ByteBuffer.allocate(4).putInt(8).array());
      Eventually.until("the proxy is gone", () -> pipeline.metrics.connectedProxies.get() == 0);
    }
  }

  @Test
  void aCompressedRequest_failsTheStreamSayingWhy() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.open(STREAM, DELTA_ADS, false);
      h2.frame(DATA, 0, STREAM, RawHttp2.grpc(1, subscribe(XdsType.CDS).toByteArray()));
      Frame trailers = trailers(h2);
      Http2Headers h = h2.decode(trailers);
      assertThat(h.get("grpc-status").toString()).isEqualTo("13"); // INTERNAL
      assertThat(h.get("grpc-message").toString()).contains("compressed");
    }
  }

  @Test
  void aRequestThatIsNotADiscoveryRequest_failsTheStreamSayingWhy() throws Exception {
    try (RawHttp2 h2 = new RawHttp2(pipeline.xdsPort(), 1 << 20)) {
      h2.open(STREAM, DELTA_ADS, false);
      h2.frame(DATA, 0, STREAM, RawHttp2.grpc(0, new byte[] {(byte) 0xff, (byte) 0xff, 0x01}));
      Frame trailers = trailers(h2);
      Http2Headers h = h2.decode(trailers);
      assertThat(h.get("grpc-status").toString()).isEqualTo("13");
      assertThat(h.get("grpc-message").toString()).contains("invalid request");
    }
  }

  /**
   * No direct memory for a response: the stream ends with RESOURCE_EXHAUSTED, so the proxy
   * reconnects instead of waiting for a response that was never sent, and the stream is forgotten.
   */
  @Test
  void aResponseThatFindsNoMemory_endsTheStreamSayingWhy_andTheProxyIsForgotten() throws Exception {
    try (BuiltinAdsServer server =
            new BuiltinAdsServer(
                "127.0.0.1", 0, pipeline.streams, pipeline.tracker, new NoMemoryForResponses());
        RawHttp2 h2 = new RawHttp2(server.port(), 1 << 20)) {
      h2.open(STREAM, DELTA_ADS, false);
      h2.frame(DATA, 0, STREAM, RawHttp2.grpc(subscribe(XdsType.CDS)));

      Http2Headers h = h2.decode(trailers(h2));
      assertThat(h.get("grpc-status").toString()).isEqualTo("8"); // RESOURCE_EXHAUSTED
      assertThat(h.get("grpc-message").toString()).contains("ran out of memory");
      Eventually.until("the proxy is gone", () -> pipeline.metrics.connectedProxies.get() == 0);
    }
  }

  /** Buffers from the heap, except a response's: no direct memory is left for those. */
  private static final class NoMemoryForResponses extends AbstractByteBufAllocator {
    NoMemoryForResponses() {
      super(false);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      boolean forAResponse =
          StackWalker.getInstance()
              .walk(
                  frames ->
                      frames.anyMatch(
                          f ->
                              f.getClassName().endsWith("BuiltinAdsServer$Connection$H2Stream")
                                  && f.getMethodName().equals("message")));
      if (forAResponse) {
        throw new OutOfMemoryError("Cannot reserve " + initialCapacity + " bytes of direct memory");
      }
      return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }
}
