package io.sextant.server.xds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One xDS resource as it goes on the wire: serialized once, packed in an {@code Any} once, and
 * shared by every stream that sends it. Its version is a hash of its bytes, so equal content gets
 * equal versions in any process.
 *
 * @param name the resource name
 * @param source the resource itself, for {@code /debug/config_dump}
 * @param any the resource packed for responses
 * @param version a hash of the bytes, as sent in delta responses
 * @param hash the first 64 bits of that hash, summed into set versions
 * @param bytes the resource serialized
 * @param sotwEntry the resource as an entry of a state-of-the-world response's resources field
 * @param deltaEntry the resource as an entry of a delta response's resources field
 */
public record Resource(
    String name,
    Message source,
    String version,
    long hash,
    ByteString bytes,
    ByteString sotwEntry,
    ByteString deltaEntry) {

  static Resource of(String name, Message message) {
    ByteString bytes = message.toByteString();
    byte[] hash = sha256(message.getDescriptorForType().getFullName(), bytes);
    Any any =
        Any.newBuilder()
            .setTypeUrl("type.googleapis.com/" + message.getDescriptorForType().getFullName())
            .setValue(bytes)
            .build();
    String version = HexFormat.of().formatHex(hash, 0, 8);
    io.envoyproxy.envoy.service.discovery.v3.Resource delta =
        io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder()
            .setName(name)
            .setVersion(version)
            .setResource(any)
            .build();
    return new Resource(
        name,
        message,
        version,
        ByteBuffer.wrap(hash).getLong(),
        bytes,
        entry(any.toByteString()),
        entry(delta.toByteString()));
  }

  /** Field 2 (resources) of a discovery response, holding {@code value}. */
  private static ByteString entry(ByteString value) {
    ByteString.Output out = ByteString.newOutput(value.size() + 6);
    try {
      CodedOutputStream c = CodedOutputStream.newInstance(out);
      c.writeBytes(2, value);
      c.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteString();
  }

  /**
   * The same content as {@code message}, serializing it to compare (callers first check whether it
   * is {@link #source} itself).
   */
  boolean sameContentAs(Message message) {
    return message.toByteString().equals(bytes);
  }

  /** This resource, with {@code equal} (the same content) as its source. */
  Resource withSource(Message equal) {
    return new Resource(name, equal, version, hash, bytes, sotwEntry, deltaEntry);
  }

  private static byte[] sha256(String type, ByteString bytes) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(type.getBytes(StandardCharsets.UTF_8));
      d.update(bytes.asReadOnlyByteBuffer());
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
