package io.sextant.server.xds;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A message already in wire form, as a gRPC marshaller hands it over: gRPC drains it straight into
 * its network buffers, one copy of each piece, knowing its length up front. The ADS server writes
 * its responses this way; the load generator (benchmarks) its requests.
 */
public final class DrainableBytes extends InputStream implements Drainable, KnownLength {
  private final ByteString bytes;
  private InputStream reading;

  private DrainableBytes(ByteString bytes) {
    this.bytes = bytes;
  }

  /** The stream of {@code bytes}, which may be a concatenation of shared pieces. */
  public static InputStream of(ByteString bytes) {
    return new DrainableBytes(bytes);
  }

  /**
   * Copies the bytes once, into gRPC's buffers. ({@code ByteString.writeTo} would first copy each
   * piece into a fresh array, as it cannot trust an arbitrary stream with its own.)
   */
  @Override
  public int drainTo(OutputStream target) throws IOException {
    UnsafeByteOperations.unsafeWriteTo(bytes, new Into(target));
    return bytes.size();
  }

  @Override
  public int available() {
    return reading == null ? bytes.size() : availableOf(reading);
  }

  @Override
  public int read() throws IOException {
    return reading().read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return reading().read(b, off, len);
  }

  private InputStream reading() {
    if (reading == null) {
      reading = bytes.newInput();
    }
    return reading;
  }

  private static int availableOf(InputStream in) {
    try {
      return in.available();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Hands each piece of a ByteString to a stream that copies it (gRPC's) without a copy first. */
  private static final class Into extends ByteOutput {
    private final OutputStream target;

    Into(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(byte value) throws IOException {
      target.write(value);
    }

    @Override
    public void write(byte[] value, int offset, int length) throws IOException {
      target.write(value, offset, length);
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) throws IOException {
      target.write(value, offset, length);
    }

    @Override
    public void write(ByteBuffer value) throws IOException {
      if (value.hasArray()) {
        target.write(value.array(), value.arrayOffset() + value.position(), value.remaining());
      } else {
        byte[] copy = new byte[value.remaining()];
        value.get(copy);
        target.write(copy);
      }
    }

    @Override
    public void writeLazy(ByteBuffer value) throws IOException {
      write(value);
    }
  }
}
