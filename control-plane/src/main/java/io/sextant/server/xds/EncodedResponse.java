package io.sextant.server.xds;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A DiscoveryResponse or DeltaDiscoveryResponse already in wire form. Its resources are bytes
 * encoded once and shared by every stream that sends them; only the version, type and nonce are
 * written per response. gRPC drains it straight into its network buffers.
 */
final class EncodedResponse {
  // DiscoveryResponse: version_info = 1, resources = 2, type_url = 4, nonce = 5.
  // DeltaDiscoveryResponse: system_version_info = 1, resources = 2, type_url = 4, nonce = 5,
  // removed_resources = 6. The same numbers for what both carry.
  private static final int VERSION = 1;
  private static final int TYPE_URL = 4;
  private static final int NONCE = 5;
  private static final int REMOVED = 6;

  final ByteString bytes;
  final int resources;

  private EncodedResponse(ByteString bytes, int resources) {
    this.bytes = bytes;
    this.resources = resources;
  }

  /** A response carrying {@code entries} (resources field entries) for {@code resources} items. */
  static EncodedResponse of(
      XdsType type,
      String version,
      String nonce,
      ByteString entries,
      int resources,
      Iterable<String> removed) {
    int size =
        CodedOutputStream.computeStringSize(VERSION, version)
            + CodedOutputStream.computeStringSize(TYPE_URL, type.typeUrl())
            + CodedOutputStream.computeStringSize(NONCE, nonce);
    for (String name : removed) {
      size += CodedOutputStream.computeStringSize(REMOVED, name);
    }
    byte[] head = new byte[size];
    try {
      CodedOutputStream c = CodedOutputStream.newInstance(head);
      c.writeString(VERSION, version);
      c.writeString(TYPE_URL, type.typeUrl());
      c.writeString(NONCE, nonce);
      for (String name : removed) {
        c.writeString(REMOVED, name);
      }
      c.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new EncodedResponse(UnsafeByteOperations.unsafeWrap(head).concat(entries), resources);
  }

  int size() {
    return bytes.size();
  }

  /** How gRPC writes it: the marshaller of Sextant's ADS responses. */
  static final MethodDescriptor.Marshaller<EncodedResponse> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(EncodedResponse value) {
          return new Stream(value.bytes);
        }

        @Override
        public EncodedResponse parse(InputStream stream) {
          throw new UnsupportedOperationException("responses are only written");
        }
      };

  /** Writes the shared bytes directly into gRPC's buffers, knowing their length up front. */
  private static final class Stream extends InputStream implements Drainable, KnownLength {
    private final ByteString bytes;
    private InputStream reading;

    Stream(ByteString bytes) {
      this.bytes = bytes;
    }

    /**
     * Copies the shared bytes once, into gRPC's buffers. ({@code ByteString.writeTo} would first
     * copy each piece into a fresh array, as it cannot trust an arbitrary stream with its own.)
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
