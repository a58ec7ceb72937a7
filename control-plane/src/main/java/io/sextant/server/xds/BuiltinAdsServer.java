package io.sextant.server.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.grpc.KnownLength;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.group.ChannelGroup;
import io.grpc.netty.shaded.io.netty.channel.group.DefaultChannelGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.GlobalEventExecutor;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ADS over Sextant's own HTTP/2 and gRPC framing, on Netty's channels, without grpc-java's server
 * or Netty's HTTP/2 codec ({@code xds.transport: builtin}). An ADS connection carries one long
 * stream of small messages: each response is one DATA frame written from one buffer, each ACK one
 * DATA frame read in place. grpc-java's per-message steps (framer, deframer, stream state, write
 * queue commands, HTTP/2 flow-control bookkeeping and byte distribution) cost the control plane a
 * fifth of its CPU under endpoint churn in {@code mesh-1k}; see docs/performance.md.
 *
 * <p>What it speaks: plaintext HTTP/2 (prior knowledge, as Envoy and gRPC's clients do for an
 * {@code http://} xDS server), the two ADS methods, flow control in both directions, PING,
 * RST_STREAM and half-close, up to {@link XdsServer#MAX_STREAMS} streams per connection. Anything
 * else gets {@code UNIMPLEMENTED}; compressed requests are refused.
 */
final class BuiltinAdsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BuiltinAdsServer.class);

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final String SOTW_PATH =
      "/" + AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().getFullMethodName();
  private static final String DELTA_PATH =
      "/" + AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod().getFullMethodName();

  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int WINDOW_UPDATE = 8;
  private static final int CONTINUATION = 9;

  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int PADDED = 0x8;
  private static final int PRIORITY = 0x20;

  /** The receive window per stream and per connection (gRPC's default size). */
  private static final int WINDOW = 1024 * 1024;

  private static final int DEFAULT_WINDOW = 65_535;
  private static final int MAX_FRAME = 16_384;
  private static final int MAX_MESSAGE = 16 * 1024 * 1024;
  private static final int HEADROOM = 9;
  private static final int MAX_HEADER_BLOCK = 64 << 10;

  /** :status 200, content-type: application/grpc, without touching the HPACK tables. */
  private static final byte[] RESPONSE_HEADERS = responseHeaders();

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel server;
  private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final XdsStreams streams;
  private final ProxyTracker tracker;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicBoolean stopped = new AtomicBoolean();

  BuiltinAdsServer(String address, int port, XdsStreams streams, ProxyTracker tracker)
      throws IOException {
    this(address, port, streams, tracker, ByteBufAllocator.DEFAULT);
  }

  /** {@code allocator}: where connections take their buffers (Netty's pooled one, or a test's). */
  BuiltinAdsServer(
      String address,
      int port,
      XdsStreams streams,
      ProxyTracker tracker,
      ByteBufAllocator allocator)
      throws IOException {
    this.streams = streams;
    this.tracker = tracker;
    boolean epoll = Epoll.isAvailable();
    int threads = Runtime.getRuntime().availableProcessors();
    ThreadFactory bossThreads = new DefaultThreadFactory("sextant-xds-accept");
    ThreadFactory workerThreads = new DefaultThreadFactory("sextant-xds");
    boss = epoll ? new EpollEventLoopGroup(1, bossThreads) : new NioEventLoopGroup(1, bossThreads);
    workers =
        epoll
            ? new EpollEventLoopGroup(threads, workerThreads)
            : new NioEventLoopGroup(threads, workerThreads);
    Class<? extends ServerChannel> type =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    try {
      server =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(type)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.ALLOCATOR, allocator)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      open.add(ch);
                      ch.pipeline().addLast(new Connection());
                    }
                  })
              .bind(new InetSocketAddress(address, port))
              .sync()
              .channel();
    } catch (Exception e) { // Netty rethrows the bind's IOException undeclared
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException(
          "cannot listen for xDS on " + address + ":" + port + ": " + e.getMessage(), e);
    }
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /**
   * Stops accepting connections, then ends each open stream with {@code UNAVAILABLE} and each
   * connection with GOAWAY NO_ERROR, as grpc-java's server does when shut down: proxies see the
   * control plane leave, not a connection reset, and reconnect (to another replica, if there is
   * one), keeping their configuration meanwhile.
   */
  @Override
  public void close() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    server.close().syncUninterruptibly();
    for (Channel ch : open) {
      Connection c = ch.pipeline().get(Connection.class);
      if (c != null) {
        ch.eventLoop().execute(c::shutDown); // before the close below, which queues after it
      }
    }
    open.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One HTTP/2 connection: frames in, frames out, all on the channel's event loop. */
  private final class Connection extends ByteToMessageDecoder {
    private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
    private final Map<Integer, H2Stream> byId = new HashMap<>();
    private final ConcurrentLinkedQueue<Runnable> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final ArrayDeque<H2Stream> blocked = new ArrayDeque<>();
    private final FloodLimits limits = new FloodLimits(System::nanoTime);
    private ChannelHandlerContext ctx;
    private boolean prefaceRead;

    /** The connection is being closed for an error: what else arrives is dropped. */
    private boolean closing;

    /** Writes made while reading or draining are flushed once, at the end. */
    private boolean reading;

    private boolean draining;
    private boolean needsFlush;

    /** What the proxy allows: its largest frame, its windows. */
    private int peerMaxFrame = MAX_FRAME;

    private int peerInitialWindow = DEFAULT_WINDOW;
    private long sendWindow = DEFAULT_WINDOW;

    /** Bytes read since the connection's window was last credited back. */
    private int consumed;

    /** A header block waiting for its CONTINUATION frames. */
    private ByteBuf headerBlock;

    private int headerStream;
    private boolean headerEndStream;
    private int lastStream;
    private boolean warnedOfRefusal;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ByteBuf b = ctx.alloc().buffer(9 + 18 + 13);
      frameHeader(b, 18, SETTINGS, 0, 0);
      b.writeShort(0x3).writeInt(XdsServer.MAX_STREAMS); // SETTINGS_MAX_CONCURRENT_STREAMS
      b.writeShort(0x4).writeInt(WINDOW); // SETTINGS_INITIAL_WINDOW_SIZE
      b.writeShort(0x6).writeInt(8192); // SETTINGS_MAX_HEADER_LIST_SIZE
      frameHeader(b, 4, WINDOW_UPDATE, 0, 0);
      b.writeInt(WINDOW - DEFAULT_WINDOW);
      ctx.writeAndFlush(b);
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      reading = true;
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
      reading = false;
      flushIfNeeded();
      super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      for (H2Stream s : new ArrayList<>(byId.values())) {
        s.cancelled();
      }
      byId.clear();
      if (headerBlock != null) {
        headerBlock.release();
        headerBlock = null;
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable why = cause.getCause() != null ? cause.getCause() : cause;
      if (why instanceof IOException) {
        // A proxy going away (connection reset): the stream's own disconnect line says so.
        LOG.debug("xDS connection from {}: {}", ctx.channel().remoteAddress(), why.toString());
      } else {
        LOG.warn(
            "xDS connection from {} closed: {}", ctx.channel().remoteAddress(), why.toString());
      }
      ctx.close();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
        throws Exception {
      if (closing) {
        in.skipBytes(in.readableBytes()); // what a closed connection still had in flight
        return;
      }
      if (!prefaceRead) {
        if (in.readableBytes() < PREFACE.length) {
          return;
        }
        for (int i = 0; i < PREFACE.length; i++) {
          if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
            LOG.warn(
                "xDS connection from {} closed: not HTTP/2 (plaintext xDS expects the HTTP/2"
                    + " preface; a TLS client or HTTP/1.1 cannot connect here)",
                ctx.channel().remoteAddress());
            closing = true;
            ctx.close();
            return;
          }
        }
        in.skipBytes(PREFACE.length);
        prefaceRead = true;
      }
      while (in.readableBytes() >= 9) {
        int at = in.readerIndex();
        int length = in.getUnsignedMedium(at);
        if (length > MAX_FRAME) {
          goAway(6, "a frame of " + length + " bytes, more than " + MAX_FRAME); // FRAME_SIZE_ERROR
          return;
        }
        if (in.readableBytes() < 9 + length) {
          return;
        }
        int type = in.getUnsignedByte(at + 3);
        int flags = in.getUnsignedByte(at + 4);
        int stream = in.getInt(at + 5) & 0x7fffffff;
        ByteBuf payload = in.slice(at + 9, length);
        in.skipBytes(9 + length);
        if (headerBlock != null && type != CONTINUATION) {
          goAway(1, "a header block interrupted by a frame of type " + type); // PROTOCOL_ERROR
          return;
        }
        frame(type, flags, stream, payload);
        if (!ctx.channel().isActive()) {
          return;
        }
      }
    }

    private void frame(int type, int flags, int stream, ByteBuf payload) throws Http2Exception {
      switch (type) {
        case DATA -> data(flags, stream, payload);
        case HEADERS -> {
          if ((flags & PADDED) != 0) {
            int pad = payload.readUnsignedByte();
            payload.writerIndex(payload.writerIndex() - pad);
          }
          if ((flags & PRIORITY) != 0) {
            payload.skipBytes(5);
          }
          if ((flags & END_HEADERS) != 0) {
            headers(stream, payload, (flags & END_STREAM) != 0);
          } else {
            headerBlock = ctx.alloc().heapBuffer(payload.readableBytes() * 2);
            headerBlock.writeBytes(payload);
            headerStream = stream;
            headerEndStream = (flags & END_STREAM) != 0;
          }
        }
        case CONTINUATION -> {
          if (headerBlock == null || stream != headerStream) {
            goAway(1, "a CONTINUATION frame without a header block to continue");
            return;
          }
          headerBlock.writeBytes(payload);
          if (headerBlock.readableBytes() > MAX_HEADER_BLOCK) {
            // Headers are at most 8 KiB decoded (SETTINGS_MAX_HEADER_LIST_SIZE); a block that
            // keeps growing is an attack on memory, not a request.
            goAway(11, "a header block of more than " + MAX_HEADER_BLOCK + " bytes"); // CALM
            return;
          }
          if ((flags & END_HEADERS) != 0) {
            ByteBuf block = headerBlock;
            headerBlock = null;
            try {
              headers(stream, block, headerEndStream);
            } finally {
              block.release();
            }
          }
        }
        case RST_STREAM -> {
          if (payload.readableBytes() != 4) {
            goAway(6, "an RST_STREAM frame of " + payload.readableBytes() + " bytes, not 4");
            return;
          }
          if (!resetAllowed()) {
            return;
          }
          H2Stream s = byId.remove(stream);
          if (s != null) {
            s.cancelled();
          }
        }
        case SETTINGS -> {
          if (payload.readableBytes() % 6 != 0 || ((flags & ACK) != 0 && payload.isReadable())) {
            goAway(6, "a SETTINGS frame of " + payload.readableBytes() + " bytes"); // FRAME_SIZE
            return;
          }
          if ((flags & ACK) == 0) {
            if (!limits.settingsAllowed()) {
              goAway(
                  11,
                  "more than "
                      + FloodLimits.SETTINGS_PER_WINDOW
                      + " SETTINGS frames within 30 s"); // ENHANCE_YOUR_CALM
              return;
            }
            settings(payload);
          }
        }
        case PING -> {
          if (payload.readableBytes() != 8) {
            goAway(6, "a PING frame of " + payload.readableBytes() + " bytes, not 8");
            return;
          }
          if ((flags & ACK) == 0) {
            if (!limits.pingAllowed()) {
              // gRPC's clients recognise this debug text and slow their keepalive down.
              goAway(11, "pings more often than every 10 s", "too_many_pings");
              return;
            }
            ByteBuf b = ctx.alloc().buffer(17);
            frameHeader(b, 8, PING, ACK, 0);
            b.writeBytes(payload);
            write(b);
          }
        }
        case WINDOW_UPDATE -> {
          if (payload.readableBytes() != 4) {
            goAway(6, "a WINDOW_UPDATE frame of " + payload.readableBytes() + " bytes, not 4");
            return;
          }
          long increment = payload.readInt() & 0x7fffffffL;
          if (stream == 0) {
            if (increment == 0 || sendWindow + increment > Integer.MAX_VALUE) {
              // RFC 9113, 6.9 and 6.9.1: PROTOCOL_ERROR, FLOW_CONTROL_ERROR
              goAway(increment == 0 ? 1 : 3, windowProblem(increment, sendWindow));
              return;
            }
            sendWindow += increment;
            unblock();
          } else {
            H2Stream s = byId.get(stream);
            if (s == null) {
              return;
            }
            if (increment == 0 || s.sendWindow + increment > Integer.MAX_VALUE) {
              reset(s, increment == 0 ? 1 : 3, windowProblem(increment, s.sendWindow));
              return;
            }
            s.sendWindow += increment;
            s.trySend();
          }
        }
        default -> {
          // PRIORITY, GOAWAY, PUSH_PROMISE and unknown frames: nothing to do.
        }
      }
    }

    private static String windowProblem(long increment, long window) {
      return increment == 0
          ? "a WINDOW_UPDATE of 0"
          : "a WINDOW_UPDATE of " + increment + " to a window of " + window + ", past 2^31-1";
    }

    /** Ends one stream with RST_STREAM {@code error}; the connection goes on. */
    private void reset(H2Stream s, int error, String why) {
      LOG.warn("xDS stream {} from {} reset: {}", s.id, ctx.channel().remoteAddress(), why);
      byId.remove(s.id);
      s.abandoned(Status.INTERNAL.withDescription("reset by the control plane: " + why));
      rstStream(s.id, error);
    }

    private void rstStream(int stream, int error) {
      ByteBuf b = ctx.alloc().buffer(13);
      frameHeader(b, 4, RST_STREAM, 0, stream);
      b.writeInt(error);
      write(b);
    }

    private void settings(ByteBuf payload) {
      while (payload.readableBytes() >= 6) {
        int id = payload.readUnsignedShort();
        long value = payload.readUnsignedInt();
        if (id == 0x4) {
          if (value > Integer.MAX_VALUE) { // RFC 9113, 6.5.2
            goAway(3, "SETTINGS_INITIAL_WINDOW_SIZE " + value + ", more than 2^31-1");
            return;
          }
          long delta = value - peerInitialWindow;
          for (H2Stream s : byId.values()) {
            if (s.sendWindow + delta > Integer.MAX_VALUE) { // RFC 9113, 6.9.2
              goAway(3, "SETTINGS_INITIAL_WINDOW_SIZE " + value + " takes a window past 2^31-1");
              return;
            }
          }
          peerInitialWindow = (int) value;
          for (H2Stream s : byId.values()) {
            s.sendWindow += delta;
          }
        } else if (id == 0x5) {
          if (value < MAX_FRAME || value > (1 << 24) - 1) { // RFC 9113, 6.5.2
            goAway(1, "SETTINGS_MAX_FRAME_SIZE " + value + ", not within 2^14 to 2^24-1");
            return;
          }
          peerMaxFrame = (int) value;
        }
      }
      ByteBuf b = ctx.alloc().buffer(9);
      frameHeader(b, 0, SETTINGS, ACK, 0);
      write(b);
      for (H2Stream s : new ArrayList<>(byId.values())) {
        s.trySend();
      }
    }

    private void data(int flags, int stream, ByteBuf payload) {
      int length = payload.readableBytes();
      if ((flags & PADDED) != 0) {
        int pad = payload.readUnsignedByte();
        payload.writerIndex(payload.writerIndex() - pad);
      }
      consumed += length;
      if (consumed >= WINDOW / 2) {
        windowUpdate(0, consumed);
        consumed = 0;
      }
      H2Stream s = byId.get(stream);
      if (s == null) {
        return;
      }
      s.consumed += length;
      if (s.consumed >= WINDOW / 2 && (flags & END_STREAM) == 0) {
        windowUpdate(stream, s.consumed);
        s.consumed = 0;
      }
      s.data(payload, (flags & END_STREAM) != 0);
    }

    private void headers(int stream, ByteBuf block, boolean endStream) throws Http2Exception {
      Http2Headers headers = hpack.decodeHeaders(stream, block);
      H2Stream existing = byId.get(stream);
      if (existing != null) {
        if (endStream) {
          existing.remoteClosed();
        }
        return;
      }
      if (stream <= lastStream || (stream & 1) == 0) {
        return; // a closed or server-initiated stream: nothing to do with it
      }
      lastStream = stream;
      if (byId.size() >= XdsServer.MAX_STREAMS) {
        refuse(stream);
        return;
      }
      CharSequence path = headers.path();
      String p = path == null ? "" : path.toString();
      H2Stream s;
      if (p.equals(DELTA_PATH)) {
        s = new H2Stream(stream);
        DeltaStream d = new DeltaStream(ids.incrementAndGet(), s, streams, tracker);
        s.start(d, BuiltinAdsServer::delta);
      } else if (p.equals(SOTW_PATH)) {
        s = new H2Stream(stream);
        SotwStream d = new SotwStream(ids.incrementAndGet(), s, streams, tracker);
        s.start(d, BuiltinAdsServer::sotw);
      } else {
        ByteBuf b = ctx.alloc().buffer(128);
        int lengthAt = b.writerIndex();
        frameHeader(b, 0, HEADERS, END_HEADERS | END_STREAM, stream);
        b.writeBytes(RESPONSE_HEADERS);
        trailerFields(b, Status.UNIMPLEMENTED.withDescription("Method not found: " + p));
        b.setMedium(lengthAt, b.writerIndex() - lengthAt - 9);
        limits.serverSent();
        write(b);
        return;
      }
      byId.put(stream, s);
      ByteBuf b = ctx.alloc().buffer(9 + RESPONSE_HEADERS.length);
      frameHeader(b, RESPONSE_HEADERS.length, HEADERS, END_HEADERS, stream);
      b.writeBytes(RESPONSE_HEADERS);
      limits.serverSent();
      write(b);
      if (endStream) {
        s.remoteClosed();
      }
    }

    /** Counts a stream reset or refused; false, and the connection ended, past the limit. */
    private boolean resetAllowed() {
      if (limits.resetAllowed()) {
        return true;
      }
      goAway(
          11,
          "more than "
              + FloodLimits.RESETS_PER_WINDOW
              + " streams reset or refused within 30 s"); // ENHANCE_YOUR_CALM
      return false;
    }

    /**
     * Refuses a stream past the limit the server announced (SETTINGS_MAX_CONCURRENT_STREAMS), with
     * RST_STREAM REFUSED_STREAM, which tells the client nothing was done and it may try again.
     */
    private void refuse(int stream) {
      if (!resetAllowed()) {
        return;
      }
      if (!warnedOfRefusal) {
        warnedOfRefusal = true;
        LOG.warn(
            "xDS connection from {}: stream {} refused, {} streams being open already (each proxy"
                + " needs one); further refusals on this connection are not logged",
            ctx.channel().remoteAddress(),
            stream,
            XdsServer.MAX_STREAMS);
      }
      rstStream(stream, 7); // REFUSED_STREAM
    }

    private void windowUpdate(int stream, int increment) {
      ByteBuf b = ctx.alloc().buffer(13);
      frameHeader(b, 4, WINDOW_UPDATE, 0, stream);
      b.writeInt(increment);
      write(b);
    }

    private void goAway(int error, String why) {
      goAway(error, why, "");
    }

    /** The server is closing: every stream ends with UNAVAILABLE, then the connection. */
    void shutDown() {
      if (closing || !ctx.channel().isActive()) {
        return;
      }
      Status leaving =
          Status.UNAVAILABLE.withDescription("the control plane is shutting down; reconnect");
      for (H2Stream s : new ArrayList<>(byId.values())) {
        s.shutDown(leaving);
      }
      ByteBuf b = ctx.alloc().buffer(17);
      frameHeader(b, 8, GOAWAY, 0, 0);
      b.writeInt(lastStream).writeInt(0); // NO_ERROR
      closing = true;
      ctx.writeAndFlush(b);
      ctx.close();
    }

    /** Ends the connection with GOAWAY {@code error}, {@code debug} as its debug data. */
    private void goAway(int error, String why, String debug) {
      LOG.warn("xDS connection from {} closed: {}", ctx.channel().remoteAddress(), why);
      byte[] data = debug.getBytes(StandardCharsets.US_ASCII);
      ByteBuf b = ctx.alloc().buffer(17 + data.length);
      frameHeader(b, 8 + data.length, GOAWAY, 0, 0);
      b.writeInt(lastStream).writeInt(error).writeBytes(data);
      closing = true;
      ctx.writeAndFlush(b);
      ctx.close();
    }

    private void unblock() {
      int n = blocked.size();
      for (int i = 0; i < n && sendWindow > 0; i++) {
        H2Stream s = blocked.poll();
        s.queued = false;
        s.trySend();
      }
    }

    /** Writes on the event loop; flushes at the end of the read or of the drain, or now. */
    private void write(ByteBuf b) {
      ctx.write(b, ctx.voidPromise());
      needsFlush = true;
      if (!reading && !draining) {
        flushIfNeeded();
      }
    }

    private void flushIfNeeded() {
      if (needsFlush) {
        needsFlush = false;
        ctx.flush();
      }
    }

    /**
     * Runs {@code task} on the event loop, after every task queued before it: the streams call in
     * the order their responses must go out (clusters before their endpoints), from the push thread
     * and from the event loop alike.
     */
    private void run(Runnable task) {
      if (ctx.executor().inEventLoop()) {
        runQueued();
        task.run();
        return;
      }
      outbox.add(task);
      if (drainScheduled.compareAndSet(false, true)) {
        ctx.executor().execute(this::drain);
      }
    }

    private void drain() {
      drainScheduled.set(false);
      runQueued();
      flushIfNeeded();
    }

    private void runQueued() {
      boolean was = draining;
      draining = true;
      try {
        Runnable t;
        while ((t = outbox.poll()) != null) {
          t.run();
        }
      } finally {
        draining = was;
      }
    }

    /** One gRPC call on this connection: requests in, {@link EncodedResponse}s out. */
    private final class H2Stream implements StreamObserver<EncodedResponse> {
      private final int id;
      private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
      private long sendWindow = peerInitialWindow;
      private int consumed;

      /** A message's 5-byte gRPC prefix, when a frame ended inside it. */
      private final byte[] prefix = new byte[5];

      private int prefixRead;

      /** A message being gathered from several frames, and how much of it has come. */
      private byte[] body;

      private int bodyLength;
      private int bodyRead;
      private StreamObserver<Object> requests;
      private Parser parser;
      private ByteBuf trailers;
      private boolean queued;
      private volatile boolean closed;
      private boolean remoteClosed;

      H2Stream(int id) {
        this.id = id;
      }

      @SuppressWarnings("unchecked")
      void start(StreamObserver<?> requests, Parser parser) {
        this.requests = (StreamObserver<Object>) requests;
        this.parser = parser;
      }

      /**
       * Reads the gRPC messages in a DATA frame's payload. Whole messages are parsed where they
       * lie; one that continues in later frames is gathered into an array of this thread's ({@link
       * Assembly}), its length being known from its prefix.
       */
      void data(ByteBuf payload, boolean endStream) {
        while (!closed && payload.isReadable()) {
          if (body != null) {
            int n = Math.min(bodyLength - bodyRead, payload.readableBytes());
            payload.readBytes(body, bodyRead, n);
            bodyRead += n;
            if (bodyRead == bodyLength) {
              byte[] b = body;
              body = null;
              deliver(Unpooled.wrappedBuffer(b, 0, bodyLength), true);
              SotwRequest.endLoans(); // a request read in place from b is done with it
              Assembly.giveBack(b);
            }
          } else if (prefixRead == 0 && payload.readableBytes() >= 5) {
            int at = payload.readerIndex();
            int length = payload.getInt(at + 1);
            if (!acceptable(payload.getByte(at), length)) {
              break;
            }
            payload.skipBytes(5);
            if (payload.readableBytes() >= length) {
              deliver(payload.readSlice(length), false);
            } else {
              startBody(length);
            }
          } else {
            int n = Math.min(5 - prefixRead, payload.readableBytes());
            payload.readBytes(prefix, prefixRead, n);
            prefixRead += n;
            if (prefixRead == 5) {
              prefixRead = 0;
              int length =
                  ((prefix[1] & 0xff) << 24)
                      | ((prefix[2] & 0xff) << 16)
                      | ((prefix[3] & 0xff) << 8)
                      | (prefix[4] & 0xff);
              if (!acceptable(prefix[0], length)) {
                break;
              }
              if (length == 0) {
                deliver(Unpooled.EMPTY_BUFFER, false);
              } else {
                startBody(length);
              }
            }
          }
        }
        if (closed) {
          body = null;
        }
        if (endStream) {
          remoteClosed();
        }
      }

      private void startBody(int length) {
        body = Assembly.take(length);
        bodyLength = length;
        bodyRead = 0;
      }

      /** False, and the stream failed saying why, for a message this server does not read. */
      private boolean acceptable(byte compressed, int length) {
        if (compressed != 0) {
          fail(
              Status.INTERNAL.withDescription(
                  "compressed requests are not supported; send them uncompressed"));
          return false;
        }
        if (length < 0 || length > MAX_MESSAGE) {
          fail(
              Status.RESOURCE_EXHAUSTED.withDescription(
                  "a request of "
                      + Integer.toUnsignedString(length)
                      + " bytes; at most "
                      + MAX_MESSAGE
                      + " are read"));
          return false;
        }
        return true;
      }

      private void deliver(ByteBuf message, boolean gathered) {
        Object request;
        try {
          request = parser.parse(message, gathered);
        } catch (RuntimeException e) {
          fail(Status.INTERNAL.withDescription("invalid request: " + e.getMessage()));
          return;
        }
        requests.onNext(request);
      }

      /** Ends the call with {@code status}, on both sides: the proxy's and the xDS stream's. */
      void shutDown(Status status) {
        if (closed) {
          return;
        }
        close(status); // first: the xDS stream, told next, would end the call with OK
        requests.onError(status.asException());
      }

      void remoteClosed() {
        remoteClosed = true;
        if (!closed) {
          requests.onCompleted();
        }
        removeIfDone();
      }

      void cancelled() {
        abandoned(Status.CANCELLED.withDescription("the client cancelled"));
      }

      /** The call ends without trailers ({@code why}: for the xDS stream's log). */
      void abandoned(Status why) {
        boolean was = closed;
        closed = true;
        body = null;
        pending.forEach(ByteBuf::release);
        pending.clear();
        if (trailers != null) {
          trailers.release();
          trailers = null;
        }
        if (!was && requests != null) {
          requests.onError(why.asException());
        }
      }

      private void fail(Status status) {
        onError(status.asRuntimeException());
        requests.onError(status.asException());
      }

      private void removeIfDone() {
        if (closed && remoteClosed && trailers == null && pending.isEmpty()) {
          byId.remove(id);
        }
      }

      @Override
      public void onNext(EncodedResponse response) {
        if (closed) {
          throw Status.CANCELLED.withDescription("the call is closed").asRuntimeException();
        }
        // The buffer is taken on the event loop, which also releases it: a pooled buffer taken on
        // the push thread and released here went back through Netty's cross-thread queues, which
        // cost more than the copy.
        run(
            () -> {
              if (closed) {
                return;
              }
              ByteBuf b;
              try {
                b = message(response);
              } catch (OutOfMemoryError e) {
                // Without the response the stream would wait for an ACK that never comes: end it,
                // and the proxy reconnects and is sent its whole configuration again.
                fail(
                    Status.RESOURCE_EXHAUSTED.withDescription(
                        "the control plane ran out of memory sending a response; reconnect"));
                return;
              }
              pending.add(b);
              trySend();
            });
      }

      /** The response as one gRPC message, with room in front for its DATA frame's header. */
      private ByteBuf message(EncodedResponse response) {
        int size = response.size();
        ByteBuf b = ctx.alloc().directBuffer(HEADROOM + 5 + size);
        b.writerIndex(HEADROOM);
        b.writeByte(0).writeInt(size);
        response.bytes.copyTo(b.nioBuffer(b.writerIndex(), size));
        b.writerIndex(b.writerIndex() + size);
        b.readerIndex(HEADROOM);
        return b;
      }

      @Override
      public void onError(Throwable t) {
        close(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        close(Status.OK);
      }

      private void close(Status status) {
        run(
            () -> {
              if (closed) {
                return;
              }
              closed = true;
              ByteBuf b = ctx.alloc().buffer(64);
              frameHeader(b, 0, HEADERS, END_HEADERS | END_STREAM, id);
              trailerFields(b, status);
              b.setMedium(0, b.writerIndex() - 9);
              trailers = b;
              trySend();
            });
      }

      /** Writes what the windows allow; the rest waits for a WINDOW_UPDATE. */
      void trySend() {
        while (!pending.isEmpty()) {
          ByteBuf m = pending.peek();
          int left = m.readableBytes();
          int n =
              (int)
                  Math.min(
                      Math.min(left, peerMaxFrame),
                      Math.min(sendWindow, Connection.this.sendWindow));
          if (n <= 0) {
            if (!queued) {
              queued = true;
              blocked.add(this);
            }
            return;
          }
          sendWindow -= n;
          Connection.this.sendWindow -= n;
          limits.serverSent();
          if (n == left && m.readerIndex() == HEADROOM) {
            // The whole message in one frame: its header goes in the room left for it.
            pending.poll();
            m.readerIndex(0);
            m.setMedium(0, n);
            m.setByte(3, DATA);
            m.setByte(4, 0);
            m.setInt(5, id);
            write(m);
          } else {
            ByteBuf h = ctx.alloc().buffer(9);
            frameHeader(h, n, DATA, 0, id);
            write(h);
            write(m.readRetainedSlice(n));
            if (!m.isReadable()) {
              pending.poll().release();
            }
          }
        }
        if (trailers != null) {
          ByteBuf t = trailers;
          trailers = null;
          limits.serverSent();
          write(t);
          removeIfDone();
        }
      }
    }
  }

  /**
   * Arrays that messages spanning several frames are gathered in, a few kept by each event loop for
   * the next such message. A state-of-the-world EDS ACK of {@code mesh-1k} (58 KB) spans four
   * frames, thousands of times a second; a pooled buffer for each, grown as its pieces came and
   * handed back after, took a tenth of the control plane's samples in that scenario.
   */
  static final class Assembly {
    private static final int KEPT = 8;
    private static final int SMALLEST = 16 << 10;
    private static final int LARGEST_KEPT = 4 << 20;
    private static final ThreadLocal<ArrayDeque<byte[]>> SPARE =
        ThreadLocal.withInitial(ArrayDeque::new);

    private Assembly() {}

    /** An array of at least {@code length} bytes, kept or new. */
    static byte[] take(int length) {
      for (Iterator<byte[]> i = SPARE.get().iterator(); i.hasNext(); ) {
        byte[] b = i.next();
        if (b.length >= length) {
          i.remove();
          return b;
        }
      }
      return new byte[Math.max(SMALLEST, Integer.highestOneBit(Math.max(1, length - 1)) << 1)];
    }

    /** Keeps {@code b} for a later message, unless enough are kept or it is too large to keep. */
    static void giveBack(byte[] b) {
      ArrayDeque<byte[]> spare = SPARE.get();
      if (b.length <= LARGEST_KEPT && spare.size() < KEPT) {
        spare.addFirst(b);
      }
    }
  }

  /** Reads a request from its message. */
  @FunctionalInterface
  private interface Parser {
    /**
     * {@code gathered}: the message is the whole of an {@link Assembly} array, lent until the
     * {@code onNext} that receives the request returns.
     */
    Object parse(ByteBuf message, boolean gathered);
  }

  private static Object delta(ByteBuf message, boolean gathered) {
    try {
      return DeltaDiscoveryRequest.parseFrom(message.nioBuffer());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * A message gathered from several frames is already in an array of this thread's ({@link
   * Assembly}), and is read there: an EDS ACK repeats every name the proxy watches (58 KB at
   * mesh-1k), and copying it once more cost as much as comparing its names. One that came whole in
   * a frame lies in Netty's direct memory, and is copied into a thread's array once.
   */
  private static Object sotw(ByteBuf message, boolean gathered) {
    if (gathered) {
      return SotwRequest.readLent(message.array(), message.readableBytes());
    }
    return SotwRequest.MARSHALLER.parse(new KnownLengthStream(message));
  }

  /** A message's bytes as gRPC would hand them to a marshaller: of known length. */
  private static final class KnownLengthStream extends InputStream implements KnownLength {
    private final ByteBuf bytes;

    KnownLengthStream(ByteBuf bytes) {
      this.bytes = bytes;
    }

    @Override
    public int available() {
      return bytes.readableBytes();
    }

    @Override
    public int read() {
      return bytes.isReadable() ? bytes.readUnsignedByte() : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (!bytes.isReadable()) {
        return len == 0 ? 0 : -1;
      }
      int n = Math.min(len, bytes.readableBytes());
      bytes.readBytes(b, off, n);
      return n;
    }
  }

  private static void frameHeader(ByteBuf b, int length, int type, int flags, int stream) {
    b.writeMedium(length).writeByte(type).writeByte(flags).writeInt(stream);
  }

  private static byte[] responseHeaders() {
    ByteBuf b = Unpooled.buffer();
    b.writeByte(0x88); // :status 200, static table entry 8
    hpackInt(b, 0x00, 4, 31); // content-type (static name 31), literal without indexing
    hpackString(b, "application/grpc");
    return ByteBufUtil.getBytes(b);
  }

  private static void trailerFields(ByteBuf b, Status status) {
    b.writeByte(0x00);
    hpackString(b, "grpc-status");
    hpackString(b, Integer.toString(status.getCode().value()));
    if (status.getDescription() != null) {
      b.writeByte(0x00);
      hpackString(b, "grpc-message");
      hpackString(b, percentEncode(status.getDescription()));
    }
  }

  private static String percentEncode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
      if (c >= ' ' && c < '~' && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c & 0xff));
      }
    }
    return out.toString();
  }

  private static void hpackString(ByteBuf b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
    hpackInt(b, 0x00, 7, bytes.length);
    b.writeBytes(bytes);
  }

  /** HPACK's integer: {@code bits} low bits of the first byte, then 7 bits a byte. */
  private static void hpackInt(ByteBuf b, int first, int bits, int value) {
    int max = (1 << bits) - 1;
    if (value < max) {
      b.writeByte(first | value);
      return;
    }
    b.writeByte(first | max);
    value -= max;
    while (value >= 128) {
      b.writeByte((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    b.writeByte(value);
  }
}
