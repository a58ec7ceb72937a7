package io.sextant.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.sextant.server.config.ConfigFile;
import io.sextant.server.testing.AdsClient;
import io.sextant.server.testing.Eventually;
import io.sextant.server.testing.Nodes;
import io.sextant.server.testing.TestMesh;
import io.sextant.server.testing.Unpacked;
import io.sextant.server.xds.XdsType;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Registry type {@code xds}: a proxy that declares its service is an endpoint while connected. */
class ProxyRegistrationTest {
  private static final String CLUSTER = "outbound|7070||greeter.demo.svc.cluster.local";

  @RegisterExtension final TestMesh mesh = new TestMesh();

  /** Waits until the registered service is in the mesh a newly connected proxy is built from. */
  private void awaitInMesh(String host) {
    Eventually.until(
        host + " in the mesh", () -> mesh.server().scheduler().mesh().services().containsKey(host));
  }

  /** The endpoints the xds registry holds, as /debug/registryz shows them. */
  private int registeredEndpoints() {
    return mesh.admin()
        .json("/debug/registryz")
        .getAsJsonArray("registries")
        .get(0)
        .getAsJsonObject()
        .get("endpoints")
        .getAsInt();
  }

  private void serve() {
    Path config =
        mesh.write(
            "xds-registry.yaml",
            """
            xds: {address: 127.0.0.1, port: 0}
            admin: {address: 127.0.0.1, port: 0}
            registries:
              - {name: proxies, type: xds, gracePeriod: 3s}
            """);
    ConfigFile.Result loaded = ConfigFile.load(config);
    assertThat(loaded.errors()).isEmpty();
    mesh.start(loaded.config().orElseThrow());
  }

  @Test
  void aConnectedProxyDeclaringItsService_isAnEndpoint_untilTheGracePeriodAfterItLeaves() {
    serve();
    AdsClient greeter =
        mesh.sotw(Nodes.registering("greeter-1", "greeter", "demo", "10.9.0.1", "grpc:7070"));
    greeter.fetchEverything();
    awaitInMesh("greeter.demo.svc.cluster.local");

    AdsClient caller = mesh.sotw(Nodes.sidecar("caller-1", "caller", "demo"));
    DiscoveryResponse eds = caller.fetchEverything().get(XdsType.EDS);
    assertThat(Unpacked.endpoints(eds, CLUSTER)).containsExactly("10.9.0.1:7070");

    // The last proxy of the service leaves: during the grace period it is still registered; after
    // it the service is gone, and with it the cluster.
    greeter.close();
    assertThat(registeredEndpoints()).isEqualTo(1);
    DiscoveryResponse clusters = caller.next(XdsType.CDS, Duration.ofSeconds(10)).orElseThrow();
    assertThat(Unpacked.names(clusters)).doesNotContain(CLUSTER);
    assertThat(registeredEndpoints()).isZero();
  }

  @Test
  void aProxyThatReconnectsWithinTheGracePeriod_isNeverRemoved() {
    serve();
    AdsClient first =
        mesh.sotw(Nodes.registering("greeter-1", "greeter", "demo", "10.9.0.1", "grpc:7070"));
    first.fetchEverything();
    awaitInMesh("greeter.demo.svc.cluster.local");
    AdsClient caller = mesh.sotw(Nodes.sidecar("caller-1", "caller", "demo"));
    caller.fetchEverything();

    first.close();
    mesh.sotw(Nodes.registering("greeter-1", "greeter", "demo", "10.9.0.1", "grpc:7070"))
        .fetchEverything();

    // Longer than the grace period: a removal would have reached the caller as a CDS push.
    assertThat(caller.next(XdsType.CDS, Duration.ofSeconds(4))).isEmpty();
    Eventually.holds(() -> assertThat(registeredEndpoints()).isEqualTo(1));
  }
}
