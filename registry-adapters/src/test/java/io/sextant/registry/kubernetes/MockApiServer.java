package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * fabric8's mock API server in CRUD mode (objects created through it are stored, listed and watched
 * like on a real API server), reached through a {@link TcpProxy} so that tests can cut the control
 * plane off from it and reconnect it without losing the stored objects.
 */
public final class MockApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final TcpProxy proxy;
  private final KubernetesClient admin;

  public MockApiServer() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    proxy = new TcpProxy(server.getPort());
    try (KubernetesClient direct = server.createClient()) {
      admin = KubernetesClients.create(direct.getConfiguration());
    }
  }

  /** A client that talks to the server directly, for the test to create and change objects. */
  public KubernetesClient admin() {
    return admin;
  }

  /** The URL Sextant should use: through the proxy. */
  public String url() {
    return "http://127.0.0.1:" + proxy.port();
  }

  /** A client for Sextant, through the proxy; the caller closes it. */
  public KubernetesClient newClient() {
    return KubernetesClients.create(
        new ConfigBuilder()
            .withMasterUrl(url())
            .withNamespace("default")
            .withRequestRetryBackoffLimit(1)
            .withRequestRetryBackoffInterval(100)
            .build());
  }

  /** A kubeconfig file naming this server through the proxy, as {@code sextant serve} reads it. */
  public Path writeKubeconfig(Path dir) {
    String text =
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: mock
            cluster:
              server: %s
        users:
          - name: test
            user:
              token: not-checked
        contexts:
          - name: mock
            context:
              cluster: mock
              user: test
              namespace: default
        current-context: mock
        """
            .formatted(url());
    try {
      Path file = dir.resolve("kubeconfig");
      Files.writeString(file, text);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cuts every connection to the API server and refuses new ones; stored objects stay. */
  public void disconnect() {
    proxy.stop();
  }

  /** Accepts connections again on the same port. */
  public void reconnect() {
    proxy.start();
  }

  @Override
  public void close() {
    admin.close();
    proxy.stop();
    server.destroy();
  }
}
