package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The contract through a real Envoy sidecar without iptables ({@code INTERCEPTION_MODE: NONE}): the
 * bootstrap comes from {@code sextant bootstrap} (so Envoy speaks incremental, delta, xDS), the app
 * calls {@code http://127.0.0.1:PORT} with the service's Host header, Envoy routes to real HTTP
 * backends. Needs {@code ENVOY_BIN}; skipped, saying why, without it.
 */
class EnvoySidecarTest extends MeshContract {
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private Path envoyBinary;
  private EnvoyProcess envoy;

  @Override
  Optional<String> clientUnavailable() {
    StringBuilder whyNot = new StringBuilder();
    Optional<Path> bin = EnvoyProcess.binary(whyNot);
    bin.ifPresent(b -> envoyBinary = b);
    return bin.isPresent() ? Optional.empty() : Optional.of(whyNot.toString());
  }

  @Override
  String protocol() {
    return "HTTP";
  }

  @Override
  String nodeId() {
    return "envoy-e2e-sidecar";
  }

  @Override
  Map.Entry<AutoCloseable, Integer> startBackend(String name) {
    HttpBackend b = new HttpBackend(name);
    return Map.entry(b, b.port());
  }

  /** Envoy binds each service port on 127.0.0.1, so each service gets a free port. */
  @Override
  int servicePort(String host) {
    return ports.computeIfAbsent(host, h -> ControlPlane.freePort());
  }

  /** What else {@code sextant bootstrap} is told, such as the xDS flavour. */
  String[] bootstrapArgs() {
    return new String[0];
  }

  /** The flavour of xDS Envoy must be seen speaking ({@code /debug/syncz}). */
  String xdsFlavour() {
    return "delta";
  }

  @Override
  void startClient() {
    envoy =
        EnvoyProcess.sidecar(envoyBinary, dir, nodeId(), controlPlane.xdsPort(), bootstrapArgs());
    for (String host : ports.keySet()) {
      envoy.awaitRouting(url(host), host);
    }
    if (!controlPlane.xdsFlavour(nodeId()).equals(xdsFlavour())) {
      throw new AssertionError(
          "Envoy speaks " + controlPlane.xdsFlavour(nodeId()) + " xDS, not " + xdsFlavour());
    }
  }

  private String url(String host) {
    return "http://127.0.0.1:" + ports.get(host) + "/";
  }

  @Override
  String call(String host) {
    HttpResponse<String> response = EnvoyProcess.get(url(host), host);
    if (response.statusCode() != 200) {
      throw new AssertionError("HTTP " + response.statusCode() + " from Envoy: " + response.body());
    }
    return response.body();
  }

  /**
   * A service that appears gets its listener and cluster in Envoy; when its file is deleted, Envoy
   * is told to remove both (in delta xDS, by name in {@code removed_resources}), and the other
   * services keep working.
   */
  @Test
  @Order(6)
  void aServiceThatAppearsAndIsDeleted_isAddedToEnvoyAndRemovedFromIt() throws IOException {
    String host = "brief.e2e.svc.cluster.local";
    long clustersRemoved = envoy.stat("cluster_manager.cluster_removed");
    long listenersRemoved = envoy.stat("listener_manager.listener_removed");
    writeService(host, "brief-1:v1");
    envoy.awaitRouting(url(host), host);
    assertThat(call(host)).isEqualTo("brief-1");

    Files.delete(dir.resolve("services/brief.yaml"));

    Poll.until(
        "Envoy to remove the deleted service's cluster and listener",
        () ->
            envoy.stat("cluster_manager.cluster_removed") == clustersRemoved + 1
                && envoy.stat("listener_manager.listener_removed") == listenersRemoved + 1);
    assertThat(Tally.of(30, () -> call(HELLO))).containsOnlyKeys("hello-1", "hello-2", "hello-3");
  }

  /** Envoy counts every listener and cluster it really replaces. */
  @Override
  Map<String, Long> churnCounters() {
    Map<String, Long> counters = new LinkedHashMap<>();
    for (String stat :
        new String[] {
          "listener_manager.listener_modified",
          "listener_manager.listener_added",
          "cluster_manager.cluster_modified",
          "cluster_manager.cluster_added"
        }) {
      counters.put(stat, envoy.stat(stat));
    }
    return counters;
  }

  @Override
  void stopClient() {
    if (envoy != null) {
      envoy.close();
    }
  }
}
