package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * DestinationRule locality failover through the real Envoy that {@code ENVOY_BIN} names: a sidecar
 * in us-east/us-east-1a (from {@code sextant bootstrap --locality}) sends everything to the
 * endpoint in its own zone while it is healthy, and fails over to the endpoint in eu-west once
 * outlier detection ejects the local one. Skipped, saying why, without {@code ENVOY_BIN}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(EnvoyAvailable.class)
class LocalityFailoverEnvoyTest {
  private static final String WEB = "web.e2e.svc.cluster.local";

  private final Resources resources = new Resources();
  private HttpBackend near;
  private int webPort;

  @BeforeAll
  void start(@TempDir Path dir) {
    Path envoyBinary = EnvoyProcess.requiredBinary();

    MeshDirectory mesh = new MeshDirectory(dir);
    near = resources.keep(new HttpBackend("near"));
    HttpBackend far = resources.keep(new HttpBackend("far"));
    webPort = ControlPlane.freePort();
    mesh.write(
        "services/web.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: web, namespace: e2e}
        spec:
          hosts: [%s]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: %d, name: http, protocol: HTTP}
          endpoints:
          - {address: 127.0.0.1, ports: {http: %d}, locality: us-east/us-east-1a}
          - {address: 127.0.0.1, ports: {http: %d}, locality: eu-west/eu-west-1a}
        """
            .formatted(WEB, webPort, near.port(), far.port()));
    mesh.write(
        "rules/web.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: e2e}
        spec:
          host: %s
          trafficPolicy:
            loadBalancer:
              localityLbSetting: {enabled: true}
            outlierDetection:
              consecutive5xxErrors: 1
              interval: 1s
              baseEjectionTime: 60s
              maxEjectionPercent: 100
        """
            .formatted(WEB));
    ControlPlane controlPlane = resources.keep(ControlPlane.start(mesh));
    EnvoyProcess envoy =
        resources.keep(
            EnvoyProcess.sidecar(
                envoyBinary,
                dir,
                "locality-e2e",
                controlPlane.xdsPort(),
                "--locality",
                "us-east/us-east-1a"));
    envoy.awaitRouting(url(), WEB);
  }

  @AfterAll
  void stop() throws Exception {
    resources.close();
  }

  private String url() {
    return "http://127.0.0.1:" + webPort + "/";
  }

  private String call() {
    HttpResponse<String> r = EnvoyProcess.get(url(), WEB);
    return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
  }

  @Test
  void trafficStaysInTheSidecarsZone_andFailsOverWhenItsEndpointIsEjected() {
    // Without locality load balancing, round robin would send half of these to eu-west.
    assertThat(Tally.of(40, this::call)).containsOnlyKeys("near");

    near.close();
    // Connection failures count as 5xx: the first one ejects the local endpoint, and priority 1
    // (eu-west) takes the traffic.
    Poll.until("calls to fail over to eu-west", () -> call().equals("far"));
    assertThat(Tally.of(40, this::call)).containsOnlyKeys("far");
  }
}
