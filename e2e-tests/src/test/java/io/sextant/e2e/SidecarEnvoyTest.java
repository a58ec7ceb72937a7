package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sextant.e2e.MeshDirectory.Instance;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's {@code Sidecar} through the real Envoy that {@code ENVOY_BIN} names: a namespace-wide
 * Sidecar keeps another namespace's service out of the sidecar's configuration, and importing it at
 * runtime brings it in. Skipped, saying why, without {@code ENVOY_BIN}.
 */
@ExtendWith(EnvoyAvailable.class)
class SidecarEnvoyTest {
  private static final String WEB = "web.e2e.svc.cluster.local";
  private static final String PAYMENTS = "payments.billing.svc.cluster.local";

  private final Resources resources = new Resources();

  @AfterEach
  void stop() throws Exception {
    resources.close();
  }

  private static String sidecar(String... hosts) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: e2e}
        spec:
          egress:
          - hosts: [%s]
        """
        .formatted(String.join(", ", hosts.length == 0 ? new String[] {"\"./*\""} : hosts));
  }

  @Test
  void serviceOfAnotherNamespace_isOutOfScope_untilTheSidecarImportsIt(@TempDir Path dir) {
    MeshDirectory mesh = new MeshDirectory(dir);
    HttpBackend web = resources.keep(new HttpBackend("web"));
    HttpBackend payments = resources.keep(new HttpBackend("payments"));
    int webPort = ControlPlane.freePort();
    int paymentsPort = ControlPlane.freePort();
    mesh.writeService("web", WEB, webPort, "HTTP", List.of(Instance.at(web.port(), "v1")));
    mesh.write(
        "services/payments.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: payments, namespace: billing}
        spec:
          hosts: [%s]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: %d, name: http, protocol: HTTP}
          endpoints:
          - {address: 127.0.0.1, ports: {http: %d}}
        """
            .formatted(PAYMENTS, paymentsPort, payments.port()));
    mesh.write("rules/sidecar.yaml", sidecar());
    ControlPlane controlPlane = resources.keep(ControlPlane.start(mesh));
    EnvoyProcess envoy =
        resources.keep(
            EnvoyProcess.sidecar(
                EnvoyProcess.requiredBinary(), dir, "sidecar-envoy-e2e", controlPlane.xdsPort()));
    String webUrl = "http://127.0.0.1:" + webPort + "/";
    String paymentsUrl = "http://127.0.0.1:" + paymentsPort + "/";

    envoy.awaitRouting(webUrl, WEB);
    assertThat(EnvoyProcess.get(webUrl, WEB).body()).isEqualTo("web");
    // Without iptables the app reaches a service on 127.0.0.1:PORT, where Envoy listens only for
    // services it has configuration for.
    String clusters = envoy.admin("/clusters");
    assertThat(clusters).contains("outbound|" + webPort + "||" + WEB).doesNotContain(PAYMENTS);
    assertThatThrownBy(() -> EnvoyProcess.get(paymentsUrl, PAYMENTS))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(payments.requests()).isEmpty();

    mesh.write("rules/sidecar.yaml", sidecar("\"./*\"", "\"billing/" + PAYMENTS + "\""));

    envoy.awaitRouting(paymentsUrl, PAYMENTS);
    assertThat(EnvoyProcess.get(paymentsUrl, PAYMENTS).body()).isEqualTo("payments");
    assertThat(EnvoyProcess.get(webUrl, WEB).body()).isEqualTo("web");
    assertThat(envoy.admin("/clusters")).contains("outbound|" + paymentsPort + "||" + PAYMENTS);
  }
}
