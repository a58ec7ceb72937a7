package io.sextant.server.testing;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.model.MeshSettings;
import io.sextant.server.SextantServer;
import io.sextant.server.config.SextantConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A mesh kept in files, as a user of the file registry keeps it: {@code services/} holds
 * ServiceEntries, {@code rules/} VirtualServices and DestinationRules. Runs a real {@link
 * SextantServer} on free loopback ports over them.
 *
 * <p>A JUnit extension: register it with {@code @RegisterExtension}; each test gets a fresh
 * directory, and after it every client and the server are closed and the directory is deleted.
 */
public final class TestMesh implements BeforeEachCallback, AfterEachCallback {
  /** Every host lives in this namespace, and test proxies run in it. */
  public static final String NAMESPACE = "bookinfo";

  private Path root;
  private SextantConfig.Push push =
      new SextantConfig.Push(Duration.ofMillis(50), Duration.ofMillis(500));
  private SextantServer server;
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** The FQDN of {@code name} in {@link #NAMESPACE}. */
  public static String host(String name) {
    return name + "." + NAMESPACE + ".svc.cluster.local";
  }

  /** The outbound cluster of service {@code name} on {@code port}: {@code outbound|PORT||HOST}. */
  public static String outbound(String name, int port) {
    return "outbound|" + port + "||" + host(name);
  }

  /** A sidecar of the productpage workload, the client of the bookinfo services. */
  public static Node productpage(String id) {
    return Nodes.sidecar(id, "productpage", NAMESPACE);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    root = Files.createTempDirectory("sextant-mesh-");
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    opened.clear();
    stop();
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /**
   * Writes the services most tests use: HTTP {@code reviews} (10.0.0.1, 10.0.0.2) and {@code
   * ratings} (10.0.0.3) on 9080, TCP {@code mysql} (10.0.0.4) on 3306.
   */
  public TestMesh bookinfo() {
    httpService("reviews", 9080, "10.0.0.1", "10.0.0.2");
    httpService("ratings", 9080, "10.0.0.3");
    service("mysql", 3306, "TCP", "10.0.0.4");
    return this;
  }

  public Path root() {
    return root;
  }

  /** Sets the push debounce; call before {@link #start()}. */
  public TestMesh debounce(Duration quiet, Duration max) {
    push = new SextantConfig.Push(quiet, max);
    return this;
  }

  /**
   * Writes {@code services/NAME.yaml}: a STATIC ServiceEntry for {@code host(name)} with one port
   * of {@code protocol}, served by each of {@code addresses} on the same port number.
   */
  public Path service(String name, int port, String protocol, String... addresses) {
    return serviceEntry(name, List.of(host(name)), port, protocol, addresses);
  }

  /**
   * Writes {@code services/NAME.yaml}: one STATIC ServiceEntry for all of {@code hosts}, which
   * makes one service per host, each with the same port and endpoints.
   */
  public Path serviceEntry(
      String name, List<String> hosts, int port, String protocol, String... addresses) {
    String endpoints =
        Arrays.stream(addresses)
            .map(a -> "{address: " + a + "}")
            .collect(Collectors.joining(", ", "[", "]"));
    return write(
        "services/" + name + ".yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %s, namespace: %s}
        spec:
          hosts: [%s]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: %d, name: %s, protocol: %s}]
          endpoints: %s
        """
            .formatted(
                name,
                NAMESPACE,
                String.join(", ", hosts),
                port,
                protocol.toLowerCase(),
                protocol,
                endpoints));
  }

  /** {@link #service} for an HTTP port. */
  public Path httpService(String name, int port, String... addresses) {
    return service(name, port, "HTTP", addresses);
  }

  /**
   * Writes {@code rules/NAME.yaml}: subsets v1 and v2 of {@code name} (by label {@code version})
   * and a VirtualService splitting its traffic between them by the given weights.
   */
  public Path canary(String name, int v1Weight, int v2Weight) {
    return write(
        "rules/" + name + ".yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          host: %1$s
          subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          hosts: [%1$s]
          http:
          - route:
            - {destination: {host: %1$s, subset: v1}, weight: %3$d}
            - {destination: {host: %1$s, subset: v2}, weight: %4$d}
        """
            .formatted(name, NAMESPACE, v1Weight, v2Weight));
  }

  /** Replaces {@code relative} in one rename, so the file watcher never reads half a file. */
  public Path write(String relative, String text) {
    Path file = root.resolve(relative);
    try {
      Files.createDirectories(file.getParent());
      Path draft = Files.writeString(file.resolveSibling(".draft-" + file.getFileName()), text);
      Files.move(draft, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  public void delete(String relative) {
    try {
      Files.delete(root.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The configuration {@link #start()} runs: both servers on 127.0.0.1, free ports. */
  public SextantConfig config() {
    Duration rescan = Duration.ofSeconds(2);
    return new SextantConfig(
        new SextantConfig.Listen("127.0.0.1", 0),
        new SextantConfig.Listen("127.0.0.1", 0),
        MeshSettings.DEFAULT,
        List.of(new SextantConfig.Source("mesh-files", "file", List.of(dir("services")), rescan)),
        List.of(new SextantConfig.Source("mesh-rules", "file", List.of(dir("rules")), rescan)),
        push);
  }

  /** Starts the control plane on the files written so far and waits until it serves them. */
  public SextantServer start() {
    return start(config());
  }

  /** Starts the control plane with {@code config} and waits until it is ready. */
  public SextantServer start(SextantConfig config) {
    try {
      server = SextantServer.start(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SextantServer started = server;
    Eventually.until("the control plane to be ready", started::isReady);
    return started;
  }

  public SextantServer server() {
    return server;
  }

  /** Opens a state-of-the-world ADS stream as {@code node}; closed with the mesh. */
  public AdsClient sotw(Node node) {
    return remember(AdsClient.connect(server.xdsPort(), node));
  }

  /** Opens a delta ADS stream as {@code node}; closed with the mesh. */
  public DeltaAdsClient delta(Node node) {
    return remember(DeltaAdsClient.connect(server.xdsPort(), node));
  }

  public AdminClient admin() {
    return new AdminClient(server.adminPort());
  }

  /** Stops the control plane; clients opened so far stay open and see their streams end. */
  public void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  private <C extends AutoCloseable> C remember(C client) {
    opened.add(client);
    return client;
  }

  private Path dir(String name) {
    try {
      return Files.createDirectories(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
