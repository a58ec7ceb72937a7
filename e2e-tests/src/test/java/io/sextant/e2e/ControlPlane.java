package io.sextant.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.sextant.server.SextantServer;
import io.sextant.server.config.ConfigFile;
import io.sextant.server.config.SextantConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The real control plane, started in-process from a config file, restartable on its port. */
final class ControlPlane implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Path configFile;
  private final int xdsPort;
  private SextantServer server;

  private ControlPlane(Path configFile, int xdsPort) {
    this.configFile = configFile;
    this.xdsPort = xdsPort;
  }

  /** Picks a free xDS port (clients' bootstraps name it, so restarts reuse it) and starts. */
  static ControlPlane start(MeshDirectory mesh) {
    int port = freePort();
    ControlPlane cp = new ControlPlane(mesh.writeConfig(port), port);
    cp.restart();
    Poll.until("the control plane is ready", () -> cp.server.isReady());
    return cp;
  }

  /** Starts from {@code configFile}, whose xDS port is {@code xdsPort}, and waits until ready. */
  static ControlPlane start(Path configFile, int xdsPort) {
    ControlPlane cp = new ControlPlane(configFile, xdsPort);
    cp.restart();
    Poll.until("the control plane is ready", () -> cp.server.isReady());
    return cp;
  }

  /** Ports handed out by {@link #freePort()} in this JVM. */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  /**
   * A port nothing listens on, never the same twice in one JVM: the kernel may offer a port it has
   * just offered, once the socket that held it is closed.
   */
  static int freePort() {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  int xdsPort() {
    return xdsPort;
  }

  SextantServer server() {
    return server;
  }

  /** Stops the running server (if any) and starts a new one from the same config file. */
  void restart() {
    if (server != null) {
      server.close();
    }
    ConfigFile.Result result = ConfigFile.load(configFile);
    SextantConfig config =
        result.config().orElseThrow(() -> new AssertionError("bad config: " + result.errors()));
    try {
      server = SextantServer.start(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET on the admin API; returns the body (any status). */
  String admin(String pathAndQuery) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.adminPort() + pathAndQuery))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonObject adminJson(String pathAndQuery) {
    return JsonParser.parseString(admin(pathAndQuery)).getAsJsonObject();
  }

  /** The version of {@code type} (LDS, RDS, CDS, EDS) proxy {@code id} holds, or "". */
  String ackedVersion(String id, String type) {
    return typeField(id, type, "acked");
  }

  /** The version of {@code type} last sent to proxy {@code id} by this server, or "". */
  String sentVersion(String id, String type) {
    return typeField(id, type, "sent");
  }

  /** How proxy {@code id} speaks xDS ({@code sotw} or {@code delta}), or "" if not connected. */
  String xdsFlavour(String id) {
    return proxy(id).map(p -> p.get("protocol").getAsString()).orElse("");
  }

  private String typeField(String id, String type, String field) {
    return proxy(id)
        .map(p -> p.getAsJsonObject("types").getAsJsonObject(type))
        .map(t -> t.get(field).getAsString())
        .orElse("");
  }

  /** What {@code /debug/syncz} says about proxy {@code id}, if it is connected. */
  private Optional<JsonObject> proxy(String id) {
    for (var p : adminJson("/debug/syncz").getAsJsonArray("proxies")) {
      JsonObject proxy = p.getAsJsonObject();
      if (proxy.get("id").getAsString().equals(id)) {
        return Optional.of(proxy);
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /**
   * Points grpc-java's xDS client at a control plane on {@code xdsPort}. grpc-java reads this when
   * its first xDS channel is built and keeps one xDS client per JVM, so call it once per JVM.
   */
  static void bootstrapGrpcXds(int xdsPort, String nodeId, String namespace) {
    bootstrapGrpcXds(xdsPort, nodeId, namespace, "");
  }

  /** As above, with {@code node.locality} {@code REGION/ZONE} (empty for none). */
  static void bootstrapGrpcXds(int xdsPort, String nodeId, String namespace, String locality) {
    String[] parts = locality.isEmpty() ? new String[0] : locality.split("/");
    String node =
        parts.length == 0
            ? ""
            : ", \"locality\": {\"region\": \"%s\", \"zone\": \"%s\"}"
                .formatted(parts[0], parts.length > 1 ? parts[1] : "");
    System.setProperty(
        "io.grpc.xds.bootstrapConfig",
        """
        {
          "xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                           "server_features": ["xds_v3"]}],
          "node": {"id": "%s", "cluster": "e2e-client", "metadata": {"NAMESPACE": "%s"}%s}
        }
        """
            .formatted(xdsPort, nodeId, namespace, node));
  }
}
