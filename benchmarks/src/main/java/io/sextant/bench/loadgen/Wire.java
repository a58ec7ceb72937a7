package io.sextant.bench.loadgen;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.MethodDescriptor;
import io.sextant.server.xds.DrainableBytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The ADS wire format, read and written by hand. A simulated proxy needs little of what it receives
 * (names, a cluster's type, a marker); parsing whole Envoy messages for thousands of proxies would
 * make the load generator, not the control plane, the bottleneck on a shared machine. Requests are
 * assembled from cached bytes, as the name lists of state-of-the-world ACKs repeat every time.
 * Field numbers are those of Envoy's v3 discovery protos.
 */
final class Wire {
  private Wire() {}

  /**
   * One resource of a response, kept as the bytes of its entry (an Any in state-of-the-world, a
   * Resource in delta) and read only when asked: most of what a proxy receives it never looks in.
   */
  static final class Item {
    private final ByteString entry;
    private final boolean delta;
    private ByteString value;
    private String name;

    Item(ByteString entry, boolean delta) {
      this.entry = entry;
      this.delta = delta;
    }

    /** The resource's name as the delta entry carries it; null in state-of-the-world. */
    String name() {
      if (delta && name == null) {
        name = stringField(entry, 3);
      }
      return name;
    }

    /** The resource's version as the delta entry carries it; null in state-of-the-world. */
    String version() {
      return delta ? stringField(entry, 1) : null;
    }

    /** The serialized resource. */
    ByteString value() {
      if (value == null) {
        try {
          value = delta ? anyValue(bytesField(entry, 2)) : anyValue(entry);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return value;
    }
  }

  /**
   * What a simulated proxy reads from a response. The resources are only counted on arrival and
   * sliced out when first asked for: most responses a proxy receives, it never looks into.
   */
  static final class Response {
    private final String typeUrl;
    private final String version;
    private final String nonce;
    private final List<String> removed;
    private final int resourceCount;
    private final byte[] bytes;
    private final boolean delta;
    private final int resourcesFrom;
    private final int resourcesTo;
    private List<Item> resources;

    Response(
        String typeUrl,
        String version,
        String nonce,
        List<String> removed,
        int resourceCount,
        byte[] bytes,
        boolean delta,
        int resourcesFrom,
        int resourcesTo) {
      this.typeUrl = typeUrl;
      this.version = version;
      this.nonce = nonce;
      this.removed = removed;
      this.resourceCount = resourceCount;
      this.bytes = bytes;
      this.delta = delta;
      this.resourcesFrom = resourcesFrom;
      this.resourcesTo = resourcesTo;
    }

    /**
     * A 64-bit fingerprint of the resources as encoded (two CRCs), with their count: responses with
     * the same key carry the same resources. Empty when the resources are not one run of bytes, or
     * there are none.
     */
    Optional<List<Long>> resourcesKey() {
      if (resourcesFrom < 0) {
        return Optional.empty();
      }
      CRC32C c = new CRC32C();
      c.update(bytes, resourcesFrom, resourcesTo - resourcesFrom);
      CRC32 d = new CRC32();
      d.update(bytes, resourcesFrom, resourcesTo - resourcesFrom);
      return Optional.of(
          List.of(
              (c.getValue() << 32) | d.getValue(),
              (long) resourceCount,
              (long) resourcesTo - resourcesFrom));
    }

    String typeUrl() {
      return typeUrl;
    }

    String version() {
      return version;
    }

    String nonce() {
      return nonce;
    }

    List<String> removed() {
      return removed;
    }

    int resourceCount() {
      return resourceCount;
    }

    int size() {
      return bytes.length;
    }

    List<Item> resources() {
      if (resources == null) {
        resources = new ArrayList<>(resourceCount);
        try {
          CodedInputStream in = input(bytes);
          for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 2) {
              resources.add(new Item(in.readBytes(), delta));
            } else {
              in.skipField(tag);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return resources;
    }
  }

  /**
   * Requests are written as they are built: gRPC drains their pieces straight into its buffers. A
   * state-of-the-world ACK's 1,200 EDS names (58 KB in mesh-1k) are shared by every proxy that
   * subscribes alike, and are not copied into each request first.
   */
  private static final MethodDescriptor.Marshaller<ByteString> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(ByteString value) {
          return DrainableBytes.of(value);
        }

        @Override
        public ByteString parse(InputStream stream) {
          return UnsafeByteOperations.unsafeWrap(read(stream));
        }
      };

  static final MethodDescriptor<ByteString, Response> SOTW =
      method(AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(), false);

  static final MethodDescriptor<ByteString, Response> DELTA =
      method(AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod(), true);

  /** {@code generated}'s method, with requests written and responses read as raw bytes. */
  private static MethodDescriptor<ByteString, Response> method(
      MethodDescriptor<?, ?> generated, boolean delta) {
    return MethodDescriptor.<ByteString, Response>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName(generated.getFullMethodName())
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(marshaller(delta))
        .build();
  }

  private static MethodDescriptor.Marshaller<Response> marshaller(boolean delta) {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(Response value) {
        throw new UnsupportedOperationException("the load generator only reads responses");
      }

      @Override
      public Response parse(InputStream stream) {
        byte[] bytes = read(stream);
        return Wire.parse(bytes, delta);
      }
    };
  }

  /**
   * A DiscoveryResponse or DeltaDiscoveryResponse: they share the numbers of the fields read here,
   * and only delta has removed names (6).
   */
  static Response parse(byte[] bytes, boolean delta) {
    try {
      CodedInputStream in = input(bytes);
      String version = "";
      String type = "";
      String nonce = "";
      int resources = 0;
      int from = -1;
      int to = -1;
      boolean contiguous = true;
      List<String> removed = new ArrayList<>();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> version = in.readString();
          case 2 -> {
            int start = in.getTotalBytesRead() - CodedOutputStream.computeUInt32SizeNoTag(tag);
            if (from < 0) {
              from = start;
            } else if (start != to) {
              contiguous = false;
            }
            in.skipRawBytes(in.readRawVarint32());
            to = in.getTotalBytesRead();
            resources++;
          }
          case 4 -> type = in.readString();
          case 5 -> nonce = in.readString();
          case 6 -> {
            if (delta) {
              removed.add(in.readString());
            } else {
              in.skipField(tag);
            }
          }
          default -> in.skipField(tag);
        }
      }
      return new Response(
          type,
          version,
          nonce,
          removed,
          resources,
          bytes,
          delta,
          contiguous ? from : -1,
          contiguous ? to : -1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first bytes field numbered {@code field}, or empty. */
  private static ByteString bytesField(ByteString message, int field) throws IOException {
    CodedInputStream in = input(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == field) {
        return in.readBytes();
      }
      in.skipField(tag);
    }
    return ByteString.EMPTY;
  }

  /** Any: type_url = 1, value = 2. */
  private static ByteString anyValue(ByteString any) throws IOException {
    CodedInputStream in = input(any);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == 2) {
        return in.readBytes();
      }
      in.skipField(tag);
    }
    return ByteString.EMPTY;
  }

  /**
   * A cluster's EDS service name, if it is an EDS cluster. Cluster: name = 1, type = 2 (EDS is 3),
   * eds_cluster_config = 3 (service_name = 2).
   */
  static Optional<String> edsName(ByteString cluster) {
    try {
      CodedInputStream in = input(cluster);
      String name = "";
      String service = "";
      int type = 0;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> name = in.readString();
          case 2 -> type = in.readEnum();
          case 3 -> service = stringField(in.readBytes(), 2);
          default -> in.skipField(tag);
        }
      }
      return type == 3 ? Optional.of(service.isEmpty() ? name : service) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first string field numbered {@code field}, or "" (e.g. a ClusterLoadAssignment's name). */
  static String stringField(ByteString message, int field) {
    try {
      CodedInputStream in = input(message);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) == field) {
          return in.readString();
        }
        in.skipField(tag);
      }
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes a route named {@code name} carries for its name (Route.name is field 14). */
  static byte[] routeNameField(String name) {
    return build(c -> c.writeString(14, name)).toByteArray();
  }

  /** SocketAddress.port_value (field 3, a varint) as encoded: tag, then the port. */
  static byte[] portField(int port) {
    return build(c -> c.writeUInt32(3, port)).toByteArray();
  }

  static boolean contains(ByteString haystack, byte[] needle) {
    if (needle.length == 0) {
      return true;
    }
    // A view of the slice's array (no copy), read by index: ByteString.byteAt checks bounds
    // through a virtual call for every byte of a 25 KB route configuration.
    ByteBuffer b = haystack.asReadOnlyByteBuffer();
    int last = b.limit() - needle.length;
    byte first = needle[0];
    outer:
    for (int i = b.position(); i <= last; i++) {
      if (b.get(i) != first) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (b.get(i + j) != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Repeated string field {@code field} holding {@code names}, ready to append to a request. */
  static ByteString strings(int field, Collection<String> names) {
    ByteString.Output out = ByteString.newOutput(names.size() * 64);
    try {
      CodedOutputStream c = CodedOutputStream.newInstance(out);
      for (String name : names) {
        c.writeString(field, name);
      }
      c.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteString();
  }

  /**
   * DiscoveryRequest: version_info = 1, node = 2, resource_names = 3, type_url = 4, nonce = 5. An
   * EDS ACK repeats some 100 KB of names. Assembling it in a growing buffer was once a third of the
   * load generator's work; copying it into an array of the exact size, then through a stream into
   * gRPC's buffers, still cost two copies and an allocation per ACK. Now the request is the small
   * head and tail around the shared names, which gRPC copies once ({@link #BYTES}).
   */
  static ByteString sotwRequest(
      ByteString node, String typeUrl, String version, String nonce, ByteString names) {
    byte[] head =
        new byte
            [CodedOutputStream.computeStringSize(1, version)
                + (node == null ? 0 : CodedOutputStream.computeBytesSize(2, node))];
    byte[] tail =
        new byte
            [CodedOutputStream.computeStringSize(4, typeUrl)
                + CodedOutputStream.computeStringSize(5, nonce)];
    try {
      CodedOutputStream h = CodedOutputStream.newInstance(head);
      h.writeString(1, version);
      if (node != null) {
        h.writeBytes(2, node);
      }
      h.checkNoSpaceLeft();
      CodedOutputStream t = CodedOutputStream.newInstance(tail);
      t.writeString(4, typeUrl);
      t.writeString(5, nonce);
      t.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return UnsafeByteOperations.unsafeWrap(head)
        .concat(names)
        .concat(UnsafeByteOperations.unsafeWrap(tail));
  }

  /** DeltaDiscoveryRequest: node = 1, type_url = 2, subscribe = 3, unsubscribe = 4, nonce = 6. */
  static ByteString deltaRequest(
      ByteString node,
      String typeUrl,
      Collection<String> subscribe,
      Collection<String> unsubscribe,
      String nonce) {
    return build(
        c -> {
          if (node != null) {
            c.writeBytes(1, node);
          }
          c.writeString(2, typeUrl);
          for (String s : subscribe) {
            c.writeString(3, s);
          }
          for (String s : unsubscribe) {
            c.writeString(4, s);
          }
          if (!nonce.isEmpty()) {
            c.writeString(6, nonce);
          }
        });
  }

  private interface Writer {
    void write(CodedOutputStream c) throws IOException;
  }

  private static ByteString build(Writer writer) {
    ByteString.Output out = ByteString.newOutput();
    try {
      CodedOutputStream c = CodedOutputStream.newInstance(out);
      writer.write(c);
      c.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteString();
  }

  /**
   * A reader whose bytes fields are slices of the response, not copies: the array is wrapped as
   * immutable, which protobuf requires before it aliases (a plain array's reader copies every bytes
   * field, and the load generator copied each 25 KB route configuration three times).
   */
  private static CodedInputStream input(byte[] bytes) {
    CodedInputStream in = input(UnsafeByteOperations.unsafeWrap(bytes));
    in.setSizeLimit(Integer.MAX_VALUE);
    return in;
  }

  private static CodedInputStream input(ByteString bytes) {
    CodedInputStream in = bytes.newCodedInput();
    in.enableAliasing(true);
    return in;
  }

  private static byte[] read(InputStream stream) {
    try {
      // gRPC's message streams know their length: one exact read instead of growing buffers.
      int length = stream.available();
      byte[] bytes = new byte[length];
      int read = stream.readNBytes(bytes, 0, length);
      if (read != length || stream.read() != -1) {
        return stream.readAllBytes(); // a stream that did not know its length after all
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
