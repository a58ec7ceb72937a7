package io.sextant.server.xds;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A state-of-the-world {@code DiscoveryRequest} read straight from its bytes. Envoy repeats every
 * subscribed name in every request, ACKs included: thousands of EDS names, some 100 KB, several
 * times a second per proxy under churn. Decoding them into strings each time was the largest cost
 * of serving state-of-the-world proxies, so the names are only compared, as bytes, where they lie
 * with those of the stream's last request, and decoded when they differ. The node is decoded on
 * demand too.
 *
 * <p>Requests that gRPC hands over are read into a buffer the reading thread reuses: copying every
 * ACK into an array of its own was three quarters of all the control plane allocated under endpoint
 * churn. Such a request is valid only until its thread reads the next one, that is, during the
 * {@code onNext} that receives it (gRPC parses a message and delivers it on the same thread before
 * parsing the next). Reading its node or names later throws.
 */
final class SotwRequest {
  private static final int VERSION_INFO = 1;
  private static final int NODE = 2;
  private static final int RESOURCE_NAMES = 3;
  private static final int TYPE_URL = 4;
  private static final int RESPONSE_NONCE = 5;
  private static final int ERROR_DETAIL = 6;

  /** The one-byte tag of a resource name: field 3, length-delimited. */
  private static final byte NAME_TAG = (byte) ((RESOURCE_NAMES << 3) | 2);

  /** Requests larger than this get an array of their own rather than growing a thread's buffer. */
  private static final int LARGEST_REUSED = 4 << 20;

  /** A thread's reusable buffer, and how many requests it has held, to catch late readers. */
  private static final class Buffer {
    byte[] bytes = new byte[16 << 10];
    long uses;
    final KnownRuns runs = new KnownRuns();
  }

  /**
   * Runs of names this thread has read before ({@link #learn}), most recently met first, each the
   * very array that the streams asking for those names hold. A request whose names are byte for
   * byte one of them is read without walking its names one by one (thousands per EDS ACK), and
   * {@link #hasNames} recognises the array by identity.
   */
  private static final class KnownRuns {
    private static final int MAX_RUNS = 8;
    private static final int MAX_BYTES = 2 << 20;
    private final byte[][] runs = new byte[MAX_RUNS][];
    private final int[] counts = new int[MAX_RUNS];
    private int size;
    private int bytes;

    /**
     * Whether {@code b[from..]} starts with a known run and ends there; if so that run is now the
     * first ({@link #first}, {@link #firstCount}).
     */
    boolean match(byte[] b, int from, int length) {
      for (int i = 0; i < size; i++) {
        byte[] run = runs[i];
        int end = from + run.length;
        // The run must end where the request's names end: a further name would make it another.
        if (end <= length
            && (end == length || b[end] != NAME_TAG)
            && Arrays.equals(b, from, end, run, 0, run.length)) {
          moveToFront(i);
          return true;
        }
      }
      return false;
    }

    byte[] first() {
      return runs[0];
    }

    int firstCount() {
      return counts[0];
    }

    void add(byte[] run, int count) {
      for (int i = 0; i < size; i++) {
        if (runs[i] == run) {
          moveToFront(i);
          return;
        }
      }
      if (run.length > MAX_BYTES) {
        return;
      }
      while (size == MAX_RUNS || (size > 0 && bytes + run.length > MAX_BYTES)) {
        size--;
        bytes -= runs[size].length;
        runs[size] = null;
      }
      System.arraycopy(runs, 0, runs, 1, size);
      System.arraycopy(counts, 0, counts, 1, size);
      runs[0] = run;
      counts[0] = count;
      size++;
      bytes += run.length;
    }

    private void moveToFront(int i) {
      byte[] run = runs[i];
      int count = counts[i];
      System.arraycopy(runs, 0, runs, 1, i);
      System.arraycopy(counts, 0, counts, 1, i);
      runs[0] = run;
      counts[0] = count;
    }
  }

  private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

  private final byte[] bytes;
  private final int length;
  private final Buffer buffer;
  private final long use;
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

  /** The known run ({@link KnownRuns}) the names were found to be, or null. */
  private byte[] knownRun;

  /** An array found or made equal to the names ({@link #hasNames}, {@link #encodedNames}). */
  private byte[] sameNames;

  private SotwRequest(byte[] bytes, int length, Buffer buffer) {
    this.bytes = bytes;
    this.length = length;
    this.buffer = buffer;
    this.use = buffer == null ? 0 : buffer.uses;
  }

  static SotwRequest parse(byte[] bytes) throws InvalidProtocolBufferException {
    return parse(bytes, bytes.length, null);
  }

  private static SotwRequest parse(byte[] bytes, int length, Buffer buffer)
      throws InvalidProtocolBufferException {
    SotwRequest r = new SotwRequest(bytes, length, buffer);
    KnownRuns known = (buffer != null ? buffer : BUFFERS.get()).runs;
    CodedInputStream in = CodedInputStream.newInstance(bytes, 0, length);
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        int field = WireFormat.getTagFieldNumber(tag);
        boolean lengthDelimited =
            WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
        if (field == RESOURCE_NAMES && lengthDelimited) {
          int from = in.getTotalBytesRead() - CodedOutputStream.computeUInt32SizeNoTag(tag);
          if (r.namesFrom < 0) {
            r.namesFrom = from;
          } else if (from != r.namesTo) {
            r.namesContiguous = false; // another field came between names
          }
          if (r.namesFrom == from
              && r.bytes[from] == NAME_TAG
              && known.match(r.bytes, from, length)) {
            r.knownRun = known.first();
            r.nameCount = known.firstCount();
            r.namesTo = from + r.knownRun.length;
            in.skipRawBytes(r.namesTo - in.getTotalBytesRead());
          } else if (r.bytes[from] == NAME_TAG) {
            // The names that follow are walked without decoding.
            r.namesTo = r.skipNames(from);
            in.skipRawBytes(r.namesTo - in.getTotalBytesRead());
          } else {
            // A tag written longer than it needs to be: legal, but not Envoy's; decode them.
            in.skipRawBytes(in.readRawVarint32());
            r.namesTo = in.getTotalBytesRead();
            r.nameCount++;
            r.namesContiguous = false;
          }
        } else if (!lengthDelimited) {
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

  /**
   * Walks the run of names that starts at {@code from} (a name's tag), counting them; returns where
   * the run ends.
   */
  private int skipNames(int from) throws InvalidProtocolBufferException {
    int p = from;
    while (p < length && bytes[p] == NAME_TAG) {
      p++;
      int size = 0;
      for (int shift = 0; ; shift += 7) {
        if (p >= length || shift > 28) {
          throw truncated();
        }
        byte b = bytes[p++];
        size |= (b & 0x7f) << shift;
        if (b >= 0) {
          break;
        }
      }
      if (size < 0 || size > length - p) {
        throw truncated();
      }
      p += size;
      nameCount++;
    }
    return p;
  }

  private static InvalidProtocolBufferException truncated() {
    return new InvalidProtocolBufferException("a resource name runs past the end of the request");
  }

  /** The bytes, after checking that their thread has not reused them for a later request. */
  private byte[] bytes() {
    if (buffer != null && buffer.uses != use) {
      throw new IllegalStateException("a request read by gRPC is readable only during its onNext");
    }
    return bytes;
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
      return Node.parseFrom(CodedInputStream.newInstance(bytes(), nodeFrom, nodeLength));
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable node", e);
    }
  }

  int nameCount() {
    return nameCount;
  }

  /**
   * Whether the names can be compared as bytes ({@link #hasNames}): false when they are interleaved
   * with other fields, or a tag is written longer than it needs to be, which Envoy does not do;
   * such names must be decoded to be compared.
   */
  boolean namesComparable() {
    return nameCount == 0 || namesContiguous;
  }

  /**
   * The names as they are encoded in the request (a fresh copy each time; empty when none), if
   * comparable.
   */
  byte[] encodedNames() {
    if (!namesComparable()) {
      throw new IllegalStateException("these names can only be compared decoded");
    }
    if (nameCount == 0) {
      return new byte[0];
    }
    sameNames = Arrays.copyOfRange(bytes(), namesFrom, namesTo);
    return sameNames;
  }

  /**
   * A hash of the encoded names (CRC-32C, which the JVM computes with the processor's instruction),
   * to look up what requests with these names led to; equal names, equal hashes.
   */
  int namesHash() {
    CRC32C crc = new CRC32C();
    if (nameCount > 0 && namesContiguous) {
      crc.update(bytes(), namesFrom, namesTo - namesFrom);
    }
    return (int) crc.getValue();
  }

  /**
   * Whether this request's names are exactly {@code encoded} (from {@link #encodedNames}), byte for
   * byte: the same names in the same order encode to the same bytes, so an unchanged subscription
   * is recognised without decoding a name. False when {@code encoded} is null or the names are not
   * comparable.
   */
  boolean hasNames(byte[] encoded) {
    if (encoded == null || !namesComparable()) {
      return false;
    }
    if (nameCount == 0) {
      return encoded.length == 0;
    }
    if (encoded == knownRun || encoded == sameNames) {
      bytes(); // still readable
      return true;
    }
    if (Arrays.equals(bytes(), namesFrom, namesTo, encoded, 0, encoded.length)) {
      sameNames = encoded;
      return true;
    }
    return false;
  }

  /**
   * Tells this thread that {@code encoded}, which {@link #hasNames} accepted for this request, is
   * the array the streams asking for these names share: the next request with the same names is
   * then read without walking them, and matched to {@code encoded} by identity.
   */
  void learn(byte[] encoded) {
    if (encoded == null || encoded == knownRun || encoded != sameNames) {
      return; // already known, or not shown to be these names
    }
    BUFFERS.get().runs.add(encoded, nameCount); // this thread's own, whoever parsed the request
  }

  /** The names, decoded. */
  List<String> names() {
    List<String> names = new ArrayList<>(nameCount);
    if (nameCount == 0) {
      return names;
    }
    CodedInputStream in = CodedInputStream.newInstance(bytes(), 0, length);
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

  /**
   * Reads {@code stream} into this thread's buffer when its length is known up front (gRPC's
   * streams say it), into an array of its own otherwise.
   */
  private static SotwRequest read(InputStream stream) throws IOException {
    if (!(stream instanceof KnownLength)) {
      byte[] all = stream.readAllBytes();
      return parse(all, all.length, null);
    }
    int size = stream.available();
    Buffer buffer = size <= LARGEST_REUSED ? BUFFERS.get() : null;
    byte[] target;
    if (buffer == null) {
      target = new byte[size];
    } else {
      if (buffer.bytes.length < size) {
        buffer.bytes = new byte[Math.max(size, buffer.bytes.length * 2)];
      }
      buffer.uses++;
      target = buffer.bytes;
    }
    int read = stream.readNBytes(target, 0, size);
    if (read < size || stream.read() != -1) {
      throw new IOException("the request was not as long as announced");
    }
    return parse(target, size, buffer);
  }

  /**
   * Reads a request from {@code bytes[0..length)} where they lie, without copying them: the builtin
   * server lends the array it gathered a message in, for the {@code onNext} that receives the
   * request, and calls {@link #endLoans} when it takes the array back. Fails as {@link #MARSHALLER}
   * does.
   */
  static SotwRequest readLent(byte[] bytes, int length) {
    Buffer buffer = BUFFERS.get();
    buffer.uses++;
    try {
      return parse(bytes, length, buffer);
    } catch (InvalidProtocolBufferException e) {
      throw unreadable(e);
    }
  }

  /**
   * Ends the validity of the requests this thread has read, those from lent arrays ({@link
   * #readLent}) included: reading their node or names now throws.
   */
  static void endLoans() {
    BUFFERS.get().uses++;
  }

  private static RuntimeException unreadable(InvalidProtocolBufferException e) {
    return io.grpc.Status.INTERNAL
        .withDescription("invalid DiscoveryRequest: " + e.getMessage())
        .withCause(e)
        .asRuntimeException();
  }

  /** Reads requests from gRPC as raw bytes; responses go the other way only. */
  static final MethodDescriptor.Marshaller<SotwRequest> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(SotwRequest value) {
          return new ByteArrayInputStream(value.bytes(), 0, value.length);
        }

        @Override
        public SotwRequest parse(InputStream stream) {
          try {
            return read(stream);
          } catch (InvalidProtocolBufferException e) {
            throw unreadable(e);
          } catch (IOException e) {
            throw io.grpc.Status.INTERNAL
                .withDescription("cannot read request")
                .withCause(e)
                .asRuntimeException();
          }
        }
      };
}
