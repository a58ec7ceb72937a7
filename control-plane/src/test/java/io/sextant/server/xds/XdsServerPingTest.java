package io.sextant.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.sextant.server.config.SextantConfig;
import io.sextant.server.testing.Nodes;
import io.sextant.server.testing.Pipeline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the xDS server puts on the wire besides responses. Each frame costs the control plane a
 * system call and the proxy a wake-up, times thousands of proxies.
 */
class XdsServerPingTest {
  private static final long OUR_PING = 42;

  /**
   * gRPC's servers measure each connection's bandwidth by pinging the client whenever requests
   * arrive, to grow the window for large uploads. xDS requests are small and ACKs frequent, so that
   * was a PING and its ACK per request burst on every proxy's connection: not wanted.
   */
  @ParameterizedTest
  @EnumSource(SextantConfig.XdsTransport.class)
  void requestsDoNotMakeTheServerPingTheProxy(SextantConfig.XdsTransport transport)
      throws Exception {
    List<Long> serverPings = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> ourPingAnswered = new CompletableFuture<>();
    NioEventLoopGroup loop = new NioEventLoopGroup(1);
    try (Pipeline pipeline =
        new Pipeline(
            new SextantConfig.Push(Duration.ZERO, Duration.ZERO),
            Duration.ofSeconds(60),
            true,
            transport)) {
      Http2FrameAdapter frames =
          new Http2FrameAdapter() {
            @Override
            public void onPingRead(ChannelHandlerContext ctx, long data) {
              serverPings.add(data);
            }

            @Override
            public void onPingAckRead(ChannelHandlerContext ctx, long data) {
              if (data == OUR_PING) {
                ourPingAnswered.complete(null);
              }
            }

            @Override
            public int onDataRead(
                ChannelHandlerContext ctx,
                int streamId,
                ByteBuf data,
                int padding,
                boolean endOfStream) {
              return data.readableBytes() + padding;
            }
          };
      Http2ConnectionHandler http2 =
          new Http2ConnectionHandlerBuilder().server(false).frameListener(frames).build();
      http2.gracefulShutdownTimeoutMillis(0); // at close, do not wait for the stream to end
      Channel channel =
          new Bootstrap()
              .group(loop)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(http2, new ChannelInboundHandlerAdapter());
                    }
                  })
              .connect("127.0.0.1", pipeline.xdsPort())
              .sync()
              .channel();

      Http2Headers headers =
          new DefaultHttp2Headers()
              .method("POST")
              .scheme("http")
              .authority("127.0.0.1:" + pipeline.xdsPort())
              .path(
                  "/envoy.service.discovery.v3.AggregatedDiscoveryService"
                      + "/DeltaAggregatedResources")
              .add("content-type", "application/grpc")
              .add("te", "trailers");
      DeltaDiscoveryRequest subscribe =
          DeltaDiscoveryRequest.newBuilder()
              .setNode(Nodes.sidecar("sidecar~10.0.0.1~a.default~default.svc", "a", "default"))
              .setTypeUrl(XdsType.CDS.typeUrl())
              .build();
      DeltaDiscoveryRequest again =
          DeltaDiscoveryRequest.newBuilder().setTypeUrl(XdsType.LDS.typeUrl()).build();
      loop.submit(
              () -> {
                ChannelHandlerContext ctx = channel.pipeline().context(http2);
                var encoder = http2.encoder();
                encoder.writeHeaders(ctx, 3, headers, 0, false, ctx.newPromise());
                for (DeltaDiscoveryRequest r : List.of(subscribe, again, again)) {
                  encoder.writeData(ctx, 3, grpcMessage(r), 0, false, ctx.newPromise());
                }
                // Frames are answered in order: by the time this PING's ACK is back, a ping the
                // requests above provoked has arrived too.
                encoder.writePing(ctx, false, OUR_PING, ctx.newPromise());
                ctx.flush();
              })
          .sync();

      ourPingAnswered.get(10, TimeUnit.SECONDS);
      assertThat(serverPings).as("PING frames the server sent").isEmpty();
      channel.close().sync();
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /** A gRPC length-prefixed message: no compression flag, the length, the bytes. */
  private static ByteBuf grpcMessage(DeltaDiscoveryRequest request) {
    byte[] bytes = request.toByteArray();
    return Unpooled.buffer(5 + bytes.length).writeByte(0).writeInt(bytes.length).writeBytes(bytes);
  }
}
