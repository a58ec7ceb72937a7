package io.sextant.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * How a state-of-the-world stream turns a request's names into a subscription: shared between
 * requests that name the same resources, and never confused between requests that do not, even when
 * their names hash alike.
 */
class SotwSubscriptionTest {
  private static final String EDS =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private static SotwRequest request(List<String> names) {
    try {
      return SotwRequest.parse(
          DiscoveryRequest.newBuilder()
              .addAllResourceNames(names)
              .setTypeUrl(EDS)
              .build()
              .toByteArray());
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void requestsNamingTheSameResources_shareOneSubscription() {
    List<String> names = List.of("outbound|80||a.ns.svc.cluster.local", "outbound|80||b.ns");

    SotwStream.Subscription first = SotwStream.subscription(request(names));
    SotwStream.Subscription second = SotwStream.subscription(request(new ArrayList<>(names)));

    assertThat(second.names()).isSameAs(first.names()).containsExactlyInAnyOrderElementsOf(names);
    assertThat(second.encoded()).isSameAs(first.encoded());
  }

  @Test
  void namesThatHashAlike_areStillTwoSubscriptions() {
    List<String> a = List.of("outbound|80||first.ns.svc.cluster.local", "patch");
    List<String> b = collidingWith(a);
    assertThat(request(b).namesHash()).as("the test's premise").isEqualTo(request(a).namesHash());

    Set<String> first = SotwStream.subscription(request(a)).names();
    Set<String> second = SotwStream.subscription(request(b)).names();

    assertThat(first).containsExactlyInAnyOrderElementsOf(a);
    assertThat(second).containsExactlyInAnyOrderElementsOf(b);
  }

  /**
   * Names other than {@code a} whose encoded form has the same CRC-32C: a first name of our choice,
   * then a last name of five bytes whose last four are solved for (CRC-32C is linear, so four bytes
   * can steer it anywhere), retried until those four bytes are ASCII.
   */
  private static List<String> collidingWith(List<String> a) {
    int target = request(a).namesHash();
    for (int attempt = 0; attempt < 10_000; attempt++) {
      String first = "outbound|80||other-" + attempt + ".ns.svc.cluster.local";
      byte[] prefix = encodedNames(List.of(first, "x\0\0\0\0"));
      byte[] patch = crcPatch(prefix, prefix.length - 4, target);
      if (isAscii(patch)) {
        return List.of(first, "x" + new String(patch, StandardCharsets.US_ASCII));
      }
    }
    throw new AssertionError("no ASCII collision found");
  }

  private static byte[] encodedNames(List<String> names) {
    return request(names).encodedNames();
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int c = i;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
      }
      TABLE[i] = c;
    }
  }

  /**
   * Four bytes that, put at {@code at} (the last four of {@code message}), give CRC-32C {@code
   * crc}.
   */
  private static byte[] crcPatch(byte[] message, int at, int crc) {
    CRC32C c = new CRC32C();
    c.update(message, 0, at);
    int state = ~(int) c.getValue();
    int[] index = new int[4];
    int t = ~crc;
    for (int i = 3; i >= 0; i--) {
      for (int k = 0; k < 256; k++) {
        if ((TABLE[k] >>> 24) == (t >>> 24)) {
          index[i] = k;
          break;
        }
      }
      t = (t ^ TABLE[index[i]]) << 8;
    }
    byte[] patch = new byte[4];
    for (int i = 0; i < 4; i++) {
      patch[i] = (byte) ((state ^ index[i]) & 0xff);
      state = (state >>> 8) ^ TABLE[index[i]];
    }
    return patch;
  }
}
