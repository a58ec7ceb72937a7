package io.sextant.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
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
}
