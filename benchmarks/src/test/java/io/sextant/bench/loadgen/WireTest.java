package io.sextant.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Drainable;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTest {
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  private static Resource cluster(String name, String version) {
    return Resource.newBuilder()
        .setName(name)
        .setVersion(version)
        .setResource(Any.pack(Cluster.newBuilder().setName(name).build()))
        .build();
  }

  private static Wire.Response delta(String nonce, Resource... resources) {
    DeltaDiscoveryResponse r =
        DeltaDiscoveryResponse.newBuilder()
            .setSystemVersionInfo("v-" + nonce)
            .setTypeUrl(CDS)
            .setNonce(nonce)
            .addAllResources(List.of(resources))
            .build();
    return Wire.parse(r.toByteArray(), true);
  }

  @Test
  void responsesCarryingTheSameResources_haveTheSameKey_whateverTheirNonceAndVersion() {
    Wire.Response first = delta("1", cluster("a", "1"), cluster("b", "1"));
    Wire.Response second = delta("77", cluster("a", "1"), cluster("b", "1"));

    assertThat(first.resourcesKey()).isPresent().isEqualTo(second.resourcesKey());
    assertThat(first.resourceCount()).isEqualTo(2);
  }

  @Test
  void anyDifferenceInTheResources_changesTheKey() {
    Wire.Response base = delta("1", cluster("a", "1"), cluster("b", "1"));

    assertThat(delta("1", cluster("a", "1"), cluster("b", "2")).resourcesKey())
        .isNotEqualTo(base.resourcesKey());
    assertThat(delta("1", cluster("b", "1"), cluster("a", "1")).resourcesKey())
        .isNotEqualTo(base.resourcesKey());
    assertThat(delta("1", cluster("a", "1")).resourcesKey()).isNotEqualTo(base.resourcesKey());
  }

  @Test
  void aResponseWithoutResources_hasNoKey() {
    assertThat(delta("1").resourcesKey()).isEmpty();
  }

  @Test
  void contains_looksOnlyWithinTheSlice_andFindsANeedleAtEitherEnd() {
    byte[] needle = "split-7".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    com.google.protobuf.ByteString whole =
        com.google.protobuf.ByteString.copyFromUtf8("split-7|route split-1 split-7x|split-7");
    com.google.protobuf.ByteString middle = whole.substring(8, 30); // "route split-1 split-7x"

    assertThat(Wire.contains(middle, needle)).isTrue();
    assertThat(Wire.contains(whole.substring(0, 7), needle)).isTrue();
    assertThat(Wire.contains(whole.substring(31), needle)).isTrue();
    // Outside the slice, or cut short by its end: not there.
    assertThat(Wire.contains(whole.substring(8, 28), needle)).isFalse();
    assertThat(Wire.contains(whole.substring(1, 30).substring(0, 5), needle)).isFalse();
    assertThat(Wire.contains(whole.concat(whole).substring(35, 45), needle)).isTrue();
  }

  @Test
  void aResourceReadFromAResponse_isItsExactBytes() {
    Resource a = cluster("a", "1");
    Resource b = cluster("b", "2");
    Wire.Response r = delta("1", a, b);

    assertThat(r.resources()).hasSize(2);
    assertThat(r.resources().get(1).name()).isEqualTo("b");
    assertThat(r.resources().get(1).version()).isEqualTo("2");
    assertThat(r.resources().get(1).value()).isEqualTo(b.getResource().getValue());
    assertThat(Wire.stringField(r.resources().get(0).value(), 1)).isEqualTo("a");
  }

  private static final String EDS =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  /** The bytes gRPC sends for a request of {@code method}: drained, as its framer does. */
  private static byte[] drained(MethodDescriptor<ByteString, ?> method, ByteString request)
      throws IOException {
    InputStream in = method.getRequestMarshaller().stream(request);
    assertThat(in).isInstanceOf(Drainable.class);
    int announced = in.available();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(((Drainable) in).drainTo(out)).isEqualTo(announced);
    return out.toByteArray();
  }

  @Test
  void aSotwAck_isTheDiscoveryRequestEnvoySends_withTheSharedNamesInPlace() throws IOException {
    Node node = Node.newBuilder().setId("proxy-1.ns-0").setCluster("svc-1").build();
    ByteString names = Wire.strings(3, List.of("outbound|80||a.ns", "outbound|80||b.ns"));

    byte[] wire = drained(Wire.SOTW, Wire.sotwRequest(node.toByteString(), EDS, "v7", "n9", names));

    DiscoveryRequest r = DiscoveryRequest.parseFrom(wire);
    assertThat(r.getVersionInfo()).isEqualTo("v7");
    assertThat(r.getNode()).isEqualTo(node);
    assertThat(r.getResourceNamesList()).containsExactly("outbound|80||a.ns", "outbound|80||b.ns");
    assertThat(r.getTypeUrl()).isEqualTo(EDS);
    assertThat(r.getResponseNonce()).isEqualTo("n9");
    // Read byte by byte instead of drained, as a stream that is not gRPC's would: the same bytes.
    assertThat(
            Wire.SOTW.getRequestMarshaller().stream(
                    Wire.sotwRequest(node.toByteString(), EDS, "v7", "n9", names))
                .readAllBytes())
        .isEqualTo(wire);
  }

  @Test
  void aSotwAckWithoutNodeOrNames_isStillAWellFormedRequest() throws IOException {
    DiscoveryRequest r =
        DiscoveryRequest.parseFrom(
            drained(Wire.SOTW, Wire.sotwRequest(null, CDS, "", "", ByteString.EMPTY)));
    assertThat(r.hasNode()).isFalse();
    assertThat(r.getResourceNamesList()).isEmpty();
    assertThat(r.getTypeUrl()).isEqualTo(CDS);
  }

  @Test
  void aDeltaRequest_isTheDeltaDiscoveryRequestEnvoySends() throws IOException {
    DeltaDiscoveryRequest r =
        DeltaDiscoveryRequest.parseFrom(
            drained(
                Wire.DELTA, Wire.deltaRequest(null, EDS, List.of("x", "y"), List.of("z"), "n3")));
    assertThat(r.getTypeUrl()).isEqualTo(EDS);
    assertThat(r.getResourceNamesSubscribeList()).containsExactly("x", "y");
    assertThat(r.getResourceNamesUnsubscribeList()).containsExactly("z");
    assertThat(r.getResponseNonce()).isEqualTo("n3");
  }
}
