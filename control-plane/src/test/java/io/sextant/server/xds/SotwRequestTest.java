package io.sextant.server.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.KnownLength;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SotwRequestTest {
  private static final String EDS =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private static DiscoveryRequest request(List<String> names) {
    return DiscoveryRequest.newBuilder()
        .setVersionInfo("v7")
        .setNode(Node.newBuilder().setId("sidecar-1.default").setCluster("reviews"))
        .addAllResourceNames(names)
        .setTypeUrl(EDS)
        .setResponseNonce("42")
        .build();
  }

  private static SotwRequest read(DiscoveryRequest request) {
    try {
      return SotwRequest.parse(request.toByteArray());
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> clusters(int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add("outbound|8080||svc-" + i + ".ns.svc.cluster.local");
    }
    return names;
  }

  @Test
  void everyFieldEnvoySends_isRead() {
    SotwRequest r = read(request(clusters(3)));

    assertThat(r.versionInfo()).isEqualTo("v7");
    assertThat(r.typeUrl()).isEqualTo(EDS);
    assertThat(r.responseNonce()).isEqualTo("42");
    assertThat(r.node().getId()).isEqualTo("sidecar-1.default");
    assertThat(r.nameCount()).isEqualTo(3);
    assertThat(r.names()).isEqualTo(clusters(3));
    assertThat(r.errorDetail()).isEmpty();
  }

  @Test
  void aNack_carriesItsErrorDetail() {
    SotwRequest r =
        read(
            request(List.of()).toBuilder()
                .setErrorDetail(Status.newBuilder().setCode(3).setMessage("bad cluster"))
                .build());

    assertThat(r.errorDetail()).map(Status::getMessage).contains("bad cluster");
  }

  @Test
  void theSameNames_areRecognised_whateverElseDiffers() {
    SotwRequest first = read(request(clusters(2000)));
    SotwRequest ack =
        read(
            request(clusters(2000)).toBuilder()
                .setVersionInfo("v8")
                .setResponseNonce("43")
                .build());

    assertThat(ack.hasNames(first.encodedNames())).isTrue();
    assertThat(ack.namesHash()).isEqualTo(first.namesHash());
  }

  @Test
  void anyChangeToTheNames_isSeen() {
    List<String> names = clusters(2000);
    byte[] before = read(request(names)).encodedNames();

    List<String> renamed = new ArrayList<>(names);
    renamed.set(1234, "outbound|8080||svc-1234.ns.svc.cluster.locaL");
    List<String> reordered = new ArrayList<>(names);
    reordered.set(0, names.get(1));
    reordered.set(1, names.get(0));
    List<String> shorter = names.subList(0, 1999);
    List<String> longer = new ArrayList<>(names);
    longer.add("outbound|8080||svc-new.ns.svc.cluster.local");

    assertThat(read(request(renamed)).hasNames(before)).isFalse();
    assertThat(read(request(reordered)).hasNames(before)).isFalse();
    assertThat(read(request(shorter)).hasNames(before)).isFalse();
    assertThat(read(request(longer)).hasNames(before)).isFalse();
    assertThat(read(request(List.of())).hasNames(before)).isFalse();
    assertThat(read(request(names)).hasNames(read(request(List.of())).encodedNames())).isFalse();
    assertThat(read(request(List.of())).hasNames(new byte[0])).isTrue();
  }

  @Test
  void namesThisThreadLearned_areRecognisedByTheirSharedArray_andReadTheSame() {
    List<String> names = clusters(2000);
    SotwRequest first = read(request(names));
    byte[] shared = first.encodedNames();
    first.learn(shared);

    SotwRequest ack =
        read(request(names).toBuilder().setVersionInfo("v8").setResponseNonce("43").build());

    assertThat(ack.hasNames(shared)).isTrue();
    assertThat(ack.nameCount()).isEqualTo(2000);
    assertThat(ack.names()).isEqualTo(names);
    assertThat(ack.versionInfo()).isEqualTo("v8");
    assertThat(ack.typeUrl()).isEqualTo(EDS);
    assertThat(ack.responseNonce()).isEqualTo("43");
    assertThat(ack.node().getId()).isEqualTo("sidecar-1.default");
  }

  @Test
  void namesThatOnlyBeginWithALearnedRun_areNotTakenForIt() {
    List<String> names = clusters(2000);
    SotwRequest first = read(request(names.subList(0, 1999)));
    byte[] shared = first.encodedNames();
    first.learn(shared);

    SotwRequest longer = read(request(names));

    assertThat(longer.nameCount()).isEqualTo(2000);
    assertThat(longer.names()).isEqualTo(names);
    assertThat(longer.hasNames(shared)).isFalse();
  }

  @Test
  void anArrayNotShownToHoldTheNames_isNotLearned() {
    SotwRequest three = read(request(clusters(3)));
    byte[] five = read(request(clusters(5))).encodedNames();
    three.learn(five); // never compared with three's names: ignored

    SotwRequest again = read(request(clusters(5)));

    assertThat(again.nameCount()).isEqualTo(5);
    assertThat(again.names()).isEqualTo(clusters(5));
  }

  @Test
  void namesInterleavedWithOtherFields_areStillRead_andAskToBeDecoded() throws Exception {
    ByteString.Output bytes = ByteString.newOutput();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(3, "a");
    out.writeString(5, "nonce-1");
    out.writeString(3, "b");
    out.writeString(4, EDS);
    out.flush();

    SotwRequest r = SotwRequest.parse(bytes.toByteString().toByteArray());

    assertThat(r.names()).containsExactly("a", "b");
    assertThat(r.responseNonce()).isEqualTo("nonce-1");
    assertThat(r.namesComparable()).as("compare the decoded names").isFalse();
    assertThat(r.hasNames(new byte[0])).isFalse();
  }

  @Test
  void garbage_isRejected() {
    assertThatThrownBy(() -> SotwRequest.parse(new byte[] {0x1a, 0x7f, 0x01}))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  /** What gRPC hands the marshaller: a stream that knows its length. */
  private static class GrpcLikeStream extends ByteArrayInputStream implements KnownLength {
    GrpcLikeStream(byte[] bytes) {
      super(bytes);
    }
  }

  private static SotwRequest received(DiscoveryRequest request) {
    return SotwRequest.MARSHALLER.parse(new GrpcLikeStream(request.toByteArray()));
  }

  @Test
  void aRequestFromGrpc_isReadLikeAnyOther() {
    SotwRequest r = received(request(clusters(2000)));

    assertThat(r.node().getId()).isEqualTo("sidecar-1.default");
    assertThat(r.names()).isEqualTo(clusters(2000));
    assertThat(r.responseNonce()).isEqualTo("42");
    assertThat(r.hasNames(read(request(clusters(2000))).encodedNames())).isTrue();
  }

  @Test
  void aRequestFromGrpc_cannotBeReadAfterItsThreadReadTheNext() {
    SotwRequest first = received(request(clusters(3)));
    SotwRequest second = received(request(clusters(5)));

    assertThat(second.names()).hasSize(5);
    assertThat(first.responseNonce()).as("what was read up front stays").isEqualTo("42");
    assertThatThrownBy(first::names)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("onNext");
    assertThatThrownBy(first::encodedNames).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> first.hasNames(new byte[] {1}))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(first::node).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aRequestInALentArray_isReadWhereItLies_untilTheArrayIsTakenBack() {
    byte[] wire = request(clusters(2000)).toByteArray();
    byte[] lent = Arrays.copyOf(wire, wire.length + 100); // an array larger than its message

    SotwRequest r = SotwRequest.readLent(lent, wire.length);
    assertThat(r.names()).isEqualTo(clusters(2000));
    assertThat(r.node().getId()).isEqualTo("sidecar-1.default");
    assertThat(r.hasNames(read(request(clusters(2000))).encodedNames())).isTrue();

    SotwRequest.endLoans();
    assertThat(r.responseNonce()).as("what was read up front stays").isEqualTo("42");
    assertThatThrownBy(r::names)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("onNext");
    assertThatThrownBy(r::node).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void garbageInALentArray_isRejectedAsGrpcWouldRejectIt() {
    byte[] lent = {0x1a, 0x7f, 'a'}; // a name said to be 127 bytes long

    assertThatThrownBy(() -> SotwRequest.readLent(lent, lent.length))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("invalid DiscoveryRequest");
  }

  @Test
  void aRequestShorterThanAnnounced_isRejected() {
    InputStream lying =
        new GrpcLikeStream(request(clusters(3)).toByteArray()) {
          @Override
          public synchronized int available() {
            return super.available() + 10;
          }
        };

    assertThatThrownBy(() -> SotwRequest.MARSHALLER.parse(lying))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("cannot read request");
  }

  @Test
  void aNameTagWrittenLongerThanNeeded_isStillRead_andAsksToBeDecoded() throws Exception {
    ByteString.Output bytes = ByteString.newOutput();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(3, "a");
    out.writeRawBytes(new byte[] {(byte) 0x9a, 0x00}); // field 3, length-delimited, in two bytes
    out.writeUInt32NoTag(1);
    out.writeRawBytes(new byte[] {'b'});
    out.writeString(4, EDS);
    out.flush();

    SotwRequest r = SotwRequest.parse(bytes.toByteString().toByteArray());

    assertThat(r.nameCount()).isEqualTo(2);
    assertThat(r.names()).containsExactly("a", "b");
    assertThat(r.typeUrl()).isEqualTo(EDS);
    assertThat(r.namesComparable()).isFalse();
  }
}
