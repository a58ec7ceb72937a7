package io.sextant.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.sextant.server.config.ConfigFile;
import io.sextant.server.testing.Nodes;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's quickstart, served as written (on free ports), gives the promised canary split. */
class QuickstartExampleTest {
  private static final Path CONFIG = Path.of("..", "examples", "quickstart", "sextant.yaml");
  private static final String REVIEWS = "reviews.bookinfo.svc.cluster.local";

  @RegisterExtension final TestMesh mesh = new TestMesh();

  @Test
  void quickstart_splitsReviewsTrafficEightyTwentyBetweenItsTwoVersions() {
    ConfigFile.Result loaded = ConfigFile.load(CONFIG);
    assertThat(loaded.errors()).isEmpty();

    mesh.start(loaded.config().orElseThrow().withXdsPort(0).withAdminPort(0));

    Map<XdsType, DiscoveryResponse> received =
        mesh.sotw(Nodes.sidecar("productpage-v1-1", "productpage", "bookinfo")).fetchEverything();

    assertThat(Unpacked.endpoints(received.get(XdsType.EDS), "outbound|9080|v1|" + REVIEWS))
        .containsExactly("127.0.0.1:8081");
    assertThat(Unpacked.endpoints(received.get(XdsType.EDS), "outbound|9080|v2|" + REVIEWS))
        .containsExactly("127.0.0.1:8082");
    assertThat(
            Unpacked.endpoints(
                received.get(XdsType.EDS), "outbound|9080||ratings.bookinfo.svc.cluster.local"))
        .containsExactly("127.0.0.1:8083");
    VirtualHost reviews =
        Unpacked.virtualHosts(received.get(XdsType.RDS))
            .filter(v -> v.getName().equals(REVIEWS + ":9080"))
            .findFirst()
            .orElseThrow();
    assertThat(reviews.getRoutes(0).getRoute().getWeightedClusters().getClustersList())
        .extracting(WeightedCluster.ClusterWeight::getName, c -> c.getWeight().getValue())
        .containsExactly(
            tuple("outbound|9080|v1|" + REVIEWS, 80), tuple("outbound|9080|v2|" + REVIEWS, 20));
  }
}
