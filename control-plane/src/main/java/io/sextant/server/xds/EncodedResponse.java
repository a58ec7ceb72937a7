package io.sextant.server.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

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

  /** Each type's type_url field, tag and all, encoded once. */
  private static final Map<XdsType, byte[]> TYPE_FIELDS = new EnumMap<>(XdsType.class);

  static {
    for (XdsType type : XdsType.values()) {
      byte[] field = new byte[CodedOutputStream.computeStringSize(TYPE_URL, type.typeUrl())];
      try {
        CodedOutputStream c = CodedOutputStream.newInstance(field);
        c.writeString(TYPE_URL, type.typeUrl());
        c.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      TYPE_FIELDS.put(type, field);
    }
  }

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
    byte[] typeField = TYPE_FIELDS.get(type);
    int size =
        CodedOutputStream.computeStringSize(VERSION, version)
            + typeField.length
            + CodedOutputStream.computeStringSize(NONCE, nonce);
    for (String name : removed) {
      size += CodedOutputStream.computeStringSize(REMOVED, name);
    }
    byte[] head = new byte[size];
    try {
      CodedOutputStream c = CodedOutputStream.newInstance(head);
      c.writeString(VERSION, version);
      c.writeRawBytes(typeField);
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
          return DrainableBytes.of(value.bytes);
        }

        @Override
        public EncodedResponse parse(InputStream stream) {
          throw new UnsupportedOperationException("responses are only written");
        }
      };
}
