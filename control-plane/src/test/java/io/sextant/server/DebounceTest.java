package io.sextant.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.sextant.server.testing.AdsClient;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A burst of file edits reaches proxies as a few pushes, ending with the last edit. */
class DebounceTest {
  private static final String REVIEWS = TestMesh.outbound("reviews", 9080);

  @RegisterExtension
  final TestMesh mesh = new TestMesh().debounce(Duration.ofSeconds(1), Duration.ofSeconds(10));

  @Test
  void editsInQuickSuccession_arePushedInFewerResponsesThanEdits() {

    mesh.httpService("reviews", 9080, "10.0.0.1");
    mesh.start();
    AdsClient envoy = mesh.sotw(TestMesh.productpage("productpage-v1-1"));
    envoy.fetch(XdsType.EDS, REVIEWS);
    double pushesBefore = mesh.admin().metric("sextant_pushes_total");
    int edits = 6;

    for (int i = 1; i <= edits; i++) {
      mesh.httpService("reviews", 9080, "10.0.1." + i);
    }

    int responses = 0;
    DiscoveryResponse last;
    do {
      last = envoy.next(XdsType.EDS);
      envoy.ack(last);
      responses++;
    } while (!Unpacked.endpoints(last, REVIEWS).contains("10.0.1." + edits + ":9080"));
    assertThat(Unpacked.endpoints(last, REVIEWS)).containsExactly("10.0.1." + edits + ":9080");
    assertThat(responses).isLessThan(edits);
    assertThat(mesh.admin().metric("sextant_pushes_total") - pushesBefore).isLessThan(edits);
  }
}
