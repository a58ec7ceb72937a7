package io.sextant.server.testing;

import com.google.protobuf.Message;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An HTTP/2 client that writes and reads frames byte by byte over a plain socket, to put on the
 * wire what well-behaved client libraries never send (split header blocks, tiny windows, odd
 * messages) and to see every frame the server answers with.
 */
public final class RawHttp2 implements AutoCloseable {
  public static final int DATA = 0;
  public static final int HEADERS = 1;
  public static final int RST_STREAM = 3;
  public static final int SETTINGS = 4;
  public static final int PING = 6;
  public static final int GOAWAY = 7;
  public static final int WINDOW_UPDATE = 8;
  public static final int CONTINUATION = 9;

  public static final int END_STREAM = 0x1;
  public static final int ACK = 0x1;
  public static final int END_HEADERS = 0x4;

  public static final String SOTW_ADS =
      "/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources";

  public static final String DELTA_ADS =
      "/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources";

  /** One frame as read. */
  public record Frame(int type, int flags, int stream, byte[] payload) {
    public boolean has(int flag) {
      return (flags & flag) != 0;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
  private final int port;

  /** Every frame read so far, in order. */
  public final List<Frame> read = new ArrayList<>();

  /** Connects and sends the preface with {@code initialWindow} as the client's stream window. */
  public RawHttp2(int port, int initialWindow) throws IOException {
    this.port = port;
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) 4).putInt(initialWindow).array());
  }

  /** Writes one frame. */
  public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8));
    b.put((byte) payload.length).put((byte) type).put((byte) flags).putInt(stream).put(payload);
    out.write(b.array());
    out.flush();
  }

  /** A gRPC request's header block for {@code path}, HPACK-encoded. */
  public byte[] requestHeaders(int stream, String path) {
    Http2Headers h =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme("http")
            .authority("127.0.0.1:" + port)
            .path(path)
            .add("content-type", "application/grpc")
            .add("te", "trailers");
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(stream, h, block);
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    }
    return ByteBufUtil.getBytes(block);
  }

  /** Opens {@code stream} on {@code path} with one HEADERS frame. */
  public void open(int stream, String path, boolean endStream) throws IOException {
    frame(
        HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, requestHeaders(stream, path));
  }

  /** Decodes a header block the server sent. */
  public Http2Headers decode(Frame f) {
    try {
      return decoder.decodeHeaders(f.stream(), Unpooled.wrappedBuffer(f.payload()));
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A gRPC length-prefixed message. */
  public static byte[] grpc(Message m) {
    return grpc(0, m.toByteArray());
  }

  public static byte[] grpc(int compressedFlag, byte[] bytes) {
    return ByteBuffer.allocate(5 + bytes.length)
        .put((byte) compressedFlag)
        .putInt(bytes.length)
        .put(bytes)
        .array();
  }

  /**
   * Reads frames until one matches; SETTINGS are acknowledged on the way. Fails after 10 s of
   * silence or when the server closes.
   */
  public Frame await(String what, Predicate<Frame> wanted) throws IOException {
    while (true) {
      Frame f = next().orElseThrow(() -> new AssertionError("no frame came: " + what));
      if (wanted.test(f)) {
        return f;
      }
    }
  }

  /** Reads every frame that arrives within {@code millis} ms of silence. */
  public List<Frame> drain(int millis) throws IOException {
    socket.setSoTimeout(millis);
    List<Frame> frames = new ArrayList<>();
    try {
      Optional<Frame> f;
      while ((f = next()).isPresent()) {
        frames.add(f.get());
      }
    } finally {
      socket.setSoTimeout(10_000);
    }
    return frames;
  }

  private Optional<Frame> next() throws IOException {
    byte[] header = new byte[9];
    try {
      in.readFully(header);
    } catch (SocketTimeoutException e) {
      return Optional.empty();
    }
    ByteBuffer h = ByteBuffer.wrap(header);
    int length = ((h.get() & 0xff) << 16) | ((h.get() & 0xff) << 8) | (h.get() & 0xff);
    int type = h.get() & 0xff;
    int flags = h.get() & 0xff;
    int stream = h.getInt() & 0x7fffffff;
    byte[] payload = new byte[length];
    in.readFully(payload);
    Frame f = new Frame(type, flags, stream, payload);
    read.add(f);
    if (type == SETTINGS && !f.has(ACK)) {
      frame(SETTINGS, ACK, 0, new byte[0]);
    }
    return Optional.of(f);
  }

  /** The DATA bytes read so far on {@code stream}, joined. */
  public byte[] data(int stream) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Frame f : read) {
      if (f.type() == DATA && f.stream() == stream) {
        all.writeBytes(f.payload());
      }
    }
    return all.toByteArray();
  }

  /** The gRPC messages in {@code bytes}, without their prefixes; a partial last one is left out. */
  public static List<byte[]> messages(byte[] bytes) {
    List<byte[]> messages = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.remaining() >= 5) {
      b.get();
      int length = b.getInt();
      if (b.remaining() < length) {
        break;
      }
      byte[] m = new byte[length];
      b.get(m);
      messages.add(m);
    }
    return messages;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
