package io.sextant.server.xds;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sextant.server.config.SextantConfig.XdsTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The xDS server: ADS, state-of-the-world and delta, on one port, through Sextant's own HTTP/2
 * framing ({@link BuiltinAdsServer}, the default) or grpc-java's server.
 */
public final class XdsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);

  /**
   * Streams one connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS), on either
   * transport. A proxy needs one ADS stream; a client that opens more is refused the excess with
   * RST_STREAM REFUSED_STREAM, so that one connection cannot hold an unbounded number of streams.
   */
  static final int MAX_STREAMS = 100;

  private final XdsTransport transport;
  private final String address;
  private final int port;
  private final XdsStreams streams;
  private final ProxyTracker tracker;

  /** Set by {@link #start()}: one of the two. */
  private Server server;

  private BuiltinAdsServer builtin;

  public XdsServer(
      String address, int port, XdsTransport transport, XdsStreams streams, ProxyTracker tracker) {
    this.address = address;
    this.port = port;
    this.transport = transport;
    this.streams = streams;
    this.tracker = tracker;
  }

  public XdsServer start() throws IOException {
    if (transport == XdsTransport.BUILTIN) {
      builtin = new BuiltinAdsServer(address, port, streams, tracker);
    } else {
      server = grpcJava().start();
    }
    return this;
  }

  private Server grpcJava() {
    return NettyServerBuilder.forAddress(new InetSocketAddress(address, port))
        .addService(AdsService.definition(streams, tracker))
        // Requests are handled without blocking, under a per-stream lock: run them on the
        // network threads instead of handing each one to another thread.
        .directExecutor()
        // Proxies keep their stream open for hours; let them ping it alive.
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxInboundMessageSize(16 * 1024 * 1024)
        .maxConcurrentCallsPerConnection(MAX_STREAMS)
        // A fixed receive window (1 MiB) rather than gRPC's default auto-tuning, which pings
        // a client for its bandwidth whenever its requests arrive: a PING written and its ACK
        // read on every proxy's connection, for requests (ACKs) that never need a bigger
        // window. About 5% of the control plane's CPU under endpoint churn in mesh-1k.
        .flowControlWindow(NettyServerBuilder.DEFAULT_FLOW_CONTROL_WINDOW)
        .build();
  }

  /** The bound port: the configured one, or the one picked when 0 was configured. */
  public int port() {
    return builtin != null ? builtin.port() : server.getPort();
  }

  /**
   * Stops accepting streams, then closes the open ones. xDS streams never finish on their own, so
   * waiting for them would only delay proxies reconnecting to another control plane; they keep
   * their configuration meanwhile.
   */
  @Override
  public void close() {
    if (builtin != null) {
      builtin.close();
      LOG.info("xDS server stopped");
      return;
    }
    if (server == null) {
      return;
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(200, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    LOG.info("xDS server stopped");
  }
}
