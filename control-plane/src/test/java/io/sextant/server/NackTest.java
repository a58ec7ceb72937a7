package io.sextant.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.sextant.server.testing.AdsClient;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A proxy that rejects configuration is told about the next change, not flooded with the same. */
class NackTest {
  private static final String PROXY = "productpage-v1-1";
  private static final String REJECTION = "listener 0.0.0.0_9080: rejected by the test proxy";

  @RegisterExtension final TestMesh mesh = new TestMesh();
  private AdsClient envoy;

  @BeforeEach
  void start() {
    mesh.httpService("reviews", 9080, "10.0.0.1");
    mesh.start();
    envoy = mesh.sotw(TestMesh.productpage(PROXY));
  }

  @Test
  void nackedListeners_areNotSentAgainUntilTheConfigurationChanges() {
    envoy.request(XdsType.LDS);
    DiscoveryResponse rejected = envoy.next(XdsType.LDS);

    envoy.nack(rejected, REJECTION);

    assertThat(envoy.nextWithinQuietPeriod(XdsType.LDS)).isEmpty();
    mesh.service("redis", 6379, "TCP", "10.0.0.7");
    DiscoveryResponse next = envoy.next(XdsType.LDS);
    assertThat(next.getVersionInfo()).isNotEqualTo(rejected.getVersionInfo());
    assertThat(Unpacked.names(next)).contains("0.0.0.0_6379");
  }

  @Test
  void nackedEndpoints_areNotSentAgainUntilTheyChange() {
    envoy.fetch(XdsType.CDS);
    envoy.request(XdsType.EDS, TestMesh.outbound("reviews", 9080));
    DiscoveryResponse rejected = envoy.next(XdsType.EDS);

    envoy.nack(rejected, "endpoints rejected by the test proxy");

    assertThat(envoy.nextWithinQuietPeriod(XdsType.EDS)).isEmpty();
    mesh.httpService("reviews", 9080, "10.0.0.2");
    assertThat(Unpacked.endpoints(envoy.next(XdsType.EDS), TestMesh.outbound("reviews", 9080)))
        .containsExactly("10.0.0.2:9080");
  }

  @Test
  void nack_isShownOnSynczWithItsMessageAndVersion_andCounted() {
    envoy.request(XdsType.LDS);
    DiscoveryResponse rejected = envoy.next(XdsType.LDS);

    envoy.nack(rejected, REJECTION);

    Eventually.holds(
        () -> {
          JsonObject lds = mesh.admin().syncz(PROXY, XdsType.LDS);
          assertThat(lds.get("nacks").getAsInt()).isEqualTo(1);
          assertThat(lds.get("lastNackMessage").getAsString()).isEqualTo(REJECTION);
          assertThat(lds.get("lastNackedVersion").getAsString())
              .isEqualTo(rejected.getVersionInfo());
          assertThat(lds.get("sent").getAsString()).isEqualTo(rejected.getVersionInfo());
          assertThat(lds.get("acked").getAsString()).isEmpty();
        });
    assertThat(mesh.admin().metric("sextant_xds_nacks_total{type=\"LDS\"}")).isEqualTo(1);
    assertThat(mesh.admin().metric("sextant_xds_nacks_total{type=\"CDS\"}")).isZero();
  }

  @Test
  void acceptingAfterARejection_isShownAsAcked() {
    envoy.request(XdsType.LDS);
    envoy.nack(envoy.next(XdsType.LDS), REJECTION);
    mesh.service("redis", 6379, "TCP", "10.0.0.7");

    DiscoveryResponse accepted = envoy.next(XdsType.LDS);
    envoy.ack(accepted);

    Eventually.holds(
        () ->
            assertThat(mesh.admin().syncz(PROXY, XdsType.LDS).get("acked").getAsString())
                .isEqualTo(accepted.getVersionInfo()));
  }
}
