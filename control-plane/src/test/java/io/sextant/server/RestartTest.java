package io.sextant.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.server.config.ConfigFile;
import io.sextant.server.config.SextantConfig;
import io.sextant.server.testing.AdsClient;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.ServeProcess;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.xds.XdsType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A restarted control plane serves exactly what its proxies already run: no churn. */
class RestartTest {
  private static final Node PRODUCTPAGE = TestMesh.productpage("productpage-v1-1");

  @RegisterExtension final TestMesh mesh = new TestMesh();
  private Path configFile;
  private SextantConfig config;

  @BeforeEach
  void writeMesh() {
    mesh.bookinfo();
    mesh.canary("reviews", 80, 20);
    configFile =
        mesh.write(
            "sextant.yaml",
            """
            xds: {address: 127.0.0.1, port: 0}
            admin: {address: 127.0.0.1, port: 0}
            registries: [{name: files, type: file, paths: [services]}]
            rules: [{name: rules, type: file, paths: [rules]}]
            """);
    ConfigFile.Result loaded = ConfigFile.load(configFile);
    assertThat(loaded.errors()).isEmpty();
    config = loaded.config().orElseThrow();
  }

  /** Runs the control plane once, has a sidecar fetch everything, stops it; the versions seen. */
  private Map<XdsType, String> versionsOfAFirstRun() {
    mesh.start(config);
    try (AdsClient envoy = AdsClient.connect(mesh.server().xdsPort(), PRODUCTPAGE)) {
      return AdsClient.versions(envoy.fetchEverything());
    } finally {
      mesh.stop();
    }
  }

  @Test
  void restartWithTheSameConfiguration_servesIdenticalVersions() {
    Map<XdsType, String> before = versionsOfAFirstRun();

    mesh.start(config);
    Map<XdsType, String> after = AdsClient.versions(mesh.sotw(PRODUCTPAGE).fetchEverything());

    assertThat(after).containsOnlyKeys(XdsType.values()).isEqualTo(before);
  }

  @Test
  void restartInAnotherProcess_servesIdenticalVersions() throws Exception {
    Map<XdsType, String> before;
    try (ServeProcess serve = ServeProcess.start(configFile);
        AdsClient envoy = AdsClient.connect(serve.xdsPort(), PRODUCTPAGE)) {
      before = AdsClient.versions(envoy.fetchEverything());
    }

    mesh.start(config);
    Map<XdsType, String> after = AdsClient.versions(mesh.sotw(PRODUCTPAGE).fetchEverything());

    assertThat(after).containsOnlyKeys(XdsType.values()).isEqualTo(before);
  }

  @Test
  void proxyReconnectingWithItsVersions_isShownOnSynczHoldingThem() {
    Map<XdsType, String> running = versionsOfAFirstRun();

    mesh.start(config);
    AdsClient reconnected =
        mesh.sotw(PRODUCTPAGE).alreadyAccepted(XdsType.LDS, running.get(XdsType.LDS));
    reconnected.request(XdsType.LDS);

    Eventually.holds(
        () -> {
          JsonObject lds = mesh.admin().syncz(PRODUCTPAGE.getId(), XdsType.LDS);
          assertThat(lds.get("acked").getAsString()).isEqualTo(running.get(XdsType.LDS));
          assertThat(lds.get("sent").getAsString()).isEmpty();
        });
  }

  @Test
  void proxyReconnectingWithItsVersions_isSentNoListenersOrClustersAgain() {
    Map<XdsType, String> running = versionsOfAFirstRun();

    mesh.start(config);
    AdsClient reconnected =
        mesh.sotw(PRODUCTPAGE)
            .alreadyAccepted(XdsType.LDS, running.get(XdsType.LDS))
            .alreadyAccepted(XdsType.CDS, running.get(XdsType.CDS));
    reconnected.request(XdsType.LDS);
    reconnected.request(XdsType.CDS);

    assertThat(reconnected.typesArrivingWithinQuietPeriod()).isEmpty();
    mesh.service("redis", 6379, "TCP", "10.0.0.7");
    assertThat(reconnected.next(XdsType.LDS).getVersionInfo())
        .isNotEqualTo(running.get(XdsType.LDS));
  }
}
