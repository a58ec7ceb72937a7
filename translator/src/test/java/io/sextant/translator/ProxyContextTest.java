package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import org.junit.jupiter.api.Test;

class ProxyContextTest {

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  @Test
  void nodeWithoutMetadata_getsDocumentedDefaults() {
    ProxyContext p = ProxyContext.fromNode(Node.newBuilder().setId("bare").build());

    assertThat(p.kind()).isEqualTo(ProxyKind.SIDECAR);
    assertThat(p.namespace()).isEqualTo("default");
    assertThat(p.interception()).isEqualTo(InterceptionMode.REDIRECT);
    assertThat(p.labels()).isEmpty();
    assertThat(p.instanceIps()).isEmpty();
  }

  @Test
  void istioMetadataKeys_areRead() {
    Node node =
        Node.newBuilder()
            .setId("reviews-1")
            .setCluster("reviews")
            .setMetadata(
                Struct.newBuilder()
                    .putFields("NAMESPACE", str("shop"))
                    .putFields("INTERCEPTION_MODE", str("NONE"))
                    .putFields("INSTANCE_IPS", str("10.0.0.5, 10.0.0.6"))
                    .putFields("LABELS", version("v1")))
            .build();

    ProxyContext p = ProxyContext.fromNode(node);

    assertThat(p.serviceName()).isEqualTo("reviews");
    assertThat(p.namespace()).isEqualTo("shop");
    assertThat(p.interception()).isEqualTo(InterceptionMode.NONE);
    assertThat(p.instanceIps()).containsExactly("10.0.0.5", "10.0.0.6");
    assertThat(p.labels()).containsEntry("version", "v1");
  }

  @Test
  void grpcClients_areDetectedByUserAgentOrGenerator() {
    assertThat(
            ProxyContext.fromNode(Node.newBuilder().setUserAgentName("gRPC Java").build()).kind())
        .isEqualTo(ProxyKind.GRPC);
    Node generator =
        Node.newBuilder()
            .setUserAgentName("envoy")
            .setMetadata(Struct.newBuilder().putFields("GENERATOR", str("grpc")))
            .build();
    assertThat(ProxyContext.fromNode(generator).kind()).isEqualTo(ProxyKind.GRPC);
  }

  @Test
  void proxiesThatGetTheSameConfig_shareAGroup_andOthersDoNot() {
    Node a = Node.newBuilder().setId("a").setCluster("reviews").build();
    Node b = Node.newBuilder().setId("b").setCluster("reviews").build();
    Node c = Node.newBuilder().setId("c").setCluster("ratings").build();

    assertThat(ProxyContext.fromNode(a).groupKey()).isEqualTo(ProxyContext.fromNode(b).groupKey());
    assertThat(ProxyContext.fromNode(a).groupKey())
        .isNotEqualTo(ProxyContext.fromNode(c).groupKey());
  }

  @Test
  void withoutIptables_theInstanceIpIsPartOfTheGroup_becauseInboundListenersBindIt() {
    Struct.Builder meta = Struct.newBuilder().putFields("INTERCEPTION_MODE", str("NONE"));
    Node a =
        Node.newBuilder()
            .setCluster("reviews")
            .setMetadata(meta.clone().putFields("INSTANCE_IPS", str("10.0.0.1")))
            .build();
    Node b =
        Node.newBuilder()
            .setCluster("reviews")
            .setMetadata(meta.clone().putFields("INSTANCE_IPS", str("10.0.0.2")))
            .build();

    assertThat(ProxyContext.fromNode(a).groupKey())
        .isNotEqualTo(ProxyContext.fromNode(b).groupKey());
  }

  @Test
  void workloadsWithOtherLabels_areInAnotherGroup_becauseSourceLabelsSelectRoutesByThem() {
    Node v1 =
        Node.newBuilder()
            .setCluster("reviews")
            .setMetadata(Struct.newBuilder().putFields("LABELS", version("v1")))
            .build();
    Node v2 =
        v1.toBuilder().setMetadata(Struct.newBuilder().putFields("LABELS", version("v2"))).build();

    assertThat(ProxyContext.fromNode(v1).labels()).containsEntry("version", "v1");
    assertThat(ProxyContext.fromNode(v1).groupKey())
        .isNotEqualTo(ProxyContext.fromNode(v2).groupKey());
  }

  /** The LABELS metadata of a workload labelled {@code version}. */
  private static Value version(String version) {
    return Value.newBuilder()
        .setStructValue(Struct.newBuilder().putFields("version", str(version)))
        .build();
  }
}
