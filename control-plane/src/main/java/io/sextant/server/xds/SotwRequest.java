package io.sextant.server.xds;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A state-of-the-world {@code DiscoveryRequest} read straight from its bytes. Envoy repeats every
 * subscribed name in every request, ACKs included: thousands of EDS names, some 100 KB, several
 * times a second per proxy under churn. Decoding them into strings each time was the largest cost
 * of serving state-of-the-world proxies, so the names are only fingerprinted where they lie, and
 * decoded when the fingerprint says the subscription changed. The node is decoded on demand too.
 */
final class SotwRequest {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int VERSION_INFO = 1;
  private static final int NODE = 2;
  private static final int RESOURCE_NAMES = 3;
  private static final int TYPE_URL = 4;
  private static final int RESPONSE_NONCE = 5;
  private static final int ERROR_DETAIL = 6;

  private final byte[] bytes;
  private String versionInfo = "";
  private String typeUrl = "";
  private String nonce = "";
  private int nodeFrom = -1;
  private int nodeLength;
  private Status errorDetail;
  private int nameCount;
  private int namesFrom = -1;
  private int namesTo = -1;
  private boolean namesContiguous = true;

  private SotwRequest(byte[] bytes) {
    this.bytes = bytes;
  }

  static SotwRequest parse(byte[] bytes) throws InvalidProtocolBufferException {
    SotwRequest r = new SotwRequest(bytes);
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    try {
      boolean afterNames = false;
      int tag;
      while ((tag = in.readTag()) != 0) {
        int field = WireFormat.getTagFieldNumber(tag);
        int start =
            in.getTotalBytesRead()
                - com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag(tag);
        boolean lengthDelimited =
            WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
        if (field == RESOURCE_NAMES && lengthDelimited) {
          if (r.namesFrom < 0) {
            r.namesFrom = start;
          } else if (afterNames) {
            r.namesContiguous = false; // another field came between names
          }
          in.skipRawBytes(in.readRawVarint32());
          r.namesTo = in.getTotalBytesRead();
          r.nameCount++;
          afterNames = false;
          continue;
        }
        afterNames = r.namesFrom >= 0;
        if (!lengthDelimited) {
          in.skipField(tag);
        } else if (field == VERSION_INFO) {
          r.versionInfo = in.readStringRequireUtf8();
        } else if (field == TYPE_URL) {
          r.typeUrl = in.readStringRequireUtf8();
        } else if (field == RESPONSE_NONCE) {
          r.nonce = in.readStringRequireUtf8();
        } else if (field == NODE) {
          r.nodeLength = in.readRawVarint32();
          r.nodeFrom = in.getTotalBytesRead();
          in.skipRawBytes(r.nodeLength);
        } else if (field == ERROR_DETAIL) {
          r.errorDetail = in.readMessage(Status.parser(), ExtensionRegistryLite.getEmptyRegistry());
        } else {
          in.skipField(tag);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return r;
  }

  String versionInfo() {
    return versionInfo;
  }

  String typeUrl() {
    return typeUrl;
  }

  String responseNonce() {
    return nonce;
  }

  Optional<Status> errorDetail() {
    return Optional.ofNullable(errorDetail);
  }

  /** The node, decoded now; the default instance if the request carries none. */
  Node node() {
    if (nodeFrom < 0) {
      return Node.getDefaultInstance();
    }
    try {
      return Node.parseFrom(CodedInputStream.newInstance(bytes, nodeFrom, nodeLength));
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable node", e);
    }
  }

  int nameCount() {
    return nameCount;
  }

  /**
   * A 64-bit fingerprint of the names in order, taken from their encoded bytes; 0 when the names
   * are interleaved with other fields, which means "decode them". The same names in the same order
   * encode to the same bytes, so an unchanged fingerprint (with an unchanged count) means an
   * unchanged subscription.
   */
  long namesFingerprint() {
    if (nameCount == 0) {
      return 1;
    }
    if (!namesContiguous) {
      return 0;
    }
    long h = 0x9E3779B97F4A7C15L ^ (namesTo - namesFrom);
    int i = namesFrom;
    for (; i + Long.BYTES <= namesTo; i += Long.BYTES) {
      h = (h ^ (long) LONGS.get(bytes, i)) * 0xFF51AFD7ED558CCDL;
      h ^= h >>> 31;
    }
    for (; i < namesTo; i++) {
      h = (h ^ bytes[i]) * 0xC4CEB9FE1A85EC53L;
      h ^= h >>> 31;
    }
    return h == 0 ? 2 : h;
  }

  /** The names, decoded. */
  List<String> names() {
    List<String> names = new ArrayList<>(nameCount);
    if (nameCount == 0) {
      return names;
    }
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (WireFormat.getTagFieldNumber(tag) == RESOURCE_NAMES
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          names.add(in.readStringRequireUtf8());
        } else {
          in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("names were readable a moment ago", e);
    }
    return names;
  }

  /** Reads requests from gRPC as raw bytes; responses go the other way only. */
  static final MethodDescriptor.Marshaller<SotwRequest> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(SotwRequest value) {
          return new ByteArrayInputStream(value.bytes);
        }

        @Override
        public SotwRequest parse(InputStream stream) {
          try {
            return SotwRequest.parse(stream.readAllBytes());
          } catch (InvalidProtocolBufferException e) {
            throw io.grpc.Status.INTERNAL
                .withDescription("invalid DiscoveryRequest: " + e.getMessage())
                .withCause(e)
                .asRuntimeException();
          } catch (IOException e) {
            throw io.grpc.Status.INTERNAL
                .withDescription("cannot read request")
                .withCause(e)
                .asRuntimeException();
          }
        }
      };
}
