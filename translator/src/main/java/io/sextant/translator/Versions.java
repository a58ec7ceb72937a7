package io.sextant.translator;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Content-hash versions. The same resources always get the same version, in this process or the
 * next, so a restarted control plane causes no churn.
 */
public final class Versions {
  private static final int LENGTH = 16;

  private Versions() {}

  /** The version of one resource: a hash of its deterministic serialization. */
  public static String of(Message resource) {
    MessageDigest digest = sha256();
    digest.update(resource.getDescriptorForType().getFullName().getBytes(StandardCharsets.UTF_8));
    digest.update(deterministicBytes(resource));
    return hex(digest.digest());
  }

  /** The version of a set of resources, from their names and versions (in iteration order). */
  public static String ofAll(Map<String, String> versionsByName) {
    MessageDigest digest = sha256();
    versionsByName.forEach(
        (name, version) -> {
          digest.update(name.getBytes(StandardCharsets.UTF_8));
          digest.update((byte) 0);
          digest.update(version.getBytes(StandardCharsets.UTF_8));
          digest.update((byte) 0);
        });
    return hex(digest.digest());
  }

  static byte[] deterministicBytes(Message message) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(message.getSerializedSize());
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.useDeterministicSerialization();
      message.writeTo(coded);
      coded.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hex(byte[] hash) {
    return HexFormat.of().formatHex(hash).substring(0, LENGTH);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
