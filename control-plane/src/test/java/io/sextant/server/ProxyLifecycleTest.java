package io.sextant.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.server.testing.AdsClient;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsType;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proxies come, go and reconnect; each open stream keeps getting current configuration. */
class ProxyLifecycleTest {
  private static final Node PRODUCTPAGE = TestMesh.productpage("productpage-v1-1");
  private static final String REVIEWS = TestMesh.outbound("reviews", 9080);

  @RegisterExtension final TestMesh mesh = new TestMesh();

  @BeforeEach
  void start() {
    mesh.httpService("reviews", 9080, "10.0.0.1");
    mesh.start();
  }

  @Test
  void proxyWhoseOldStreamClosesAfterItReconnected_keepsGettingUpdates() {
    AdsClient oldStream = mesh.sotw(PRODUCTPAGE);
    oldStream.fetch(XdsType.EDS, REVIEWS);
    AdsClient newStream = mesh.sotw(PRODUCTPAGE);
    newStream.fetch(XdsType.EDS, REVIEWS);

    oldStream.close();
    Eventually.holds(
        () -> assertThat(mesh.admin().metric("sextant_xds_connected_proxies")).isEqualTo(1));
    mesh.httpService("reviews", 9080, "10.0.0.2");

    assertThat(Unpacked.endpoints(newStream.next(XdsType.EDS), REVIEWS))
        .containsExactly("10.0.0.2:9080");
  }

  @Test
  void proxyJoiningAGroupWhoseLastProxyLeft_getsTheCurrentEndpointsFirst() {
    // Enough services that translating the group takes a while, as in a real mesh: an outdated
    // snapshot left in the cache is then served before the fresh one replaces it.
    mesh.serviceEntry(
        "catalog",
        IntStream.range(0, 500).mapToObj(i -> TestMesh.host("item-" + i)).toList(),
        8000,
        "HTTP",
        "10.1.0.1");
    AdsClient leaving = mesh.sotw(PRODUCTPAGE);
    leaving.fetch(XdsType.EDS, REVIEWS);
    leaving.halfClose();
    Eventually.holds(
        () -> assertThat(mesh.admin().metric("sextant_xds_connected_proxies")).isZero());
    double generation = mesh.admin().metric("sextant_mesh_generation");
    mesh.httpService("reviews", 9080, "10.0.0.2");
    Eventually.holds(
        () -> assertThat(mesh.admin().metric("sextant_mesh_generation")).isGreaterThan(generation));

    AdsClient joining = mesh.sotw(TestMesh.productpage("productpage-v1-2"));
    joining.request(XdsType.EDS, REVIEWS);

    assertThat(Unpacked.endpoints(joining.next(XdsType.EDS), REVIEWS))
        .containsExactly("10.0.0.2:9080");
  }

  @Test
  void disconnectedProxy_disappearsFromSynczAndConfigDump() {
    AdsClient envoy = mesh.sotw(PRODUCTPAGE);
    envoy.fetch(XdsType.LDS);
    assertThat(mesh.admin().syncz(PRODUCTPAGE.getId())).isPresent();

    envoy.close();

    Eventually.holds(() -> assertThat(mesh.admin().syncz(PRODUCTPAGE.getId())).isEmpty());
    assertThat(mesh.admin().get("/debug/config_dump?proxy=" + PRODUCTPAGE.getId()).statusCode())
        .isEqualTo(404);
  }
}
