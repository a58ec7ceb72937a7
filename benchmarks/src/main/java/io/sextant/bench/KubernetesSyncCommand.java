package io.sextant.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sextant.registry.kubernetes.KubernetesClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How long the Kubernetes registry takes to its first full sync of a large cluster, and the heap it
 * then holds. The cluster is fabric8's mock API server in this JVM, filled before the control plane
 * starts; the control plane runs in a JVM of its own with {@code -Xmx} set and reaches the mock
 * over loopback through a kubeconfig, as it would a real API server.
 */
@Command(
    name = "k8s-sync",
    mixinStandardHelpOptions = true,
    description =
        "Measure the Kubernetes registry's first full sync: services, endpoints, time, heap.")
final class KubernetesSyncCommand implements Callable<Integer> {
  /** The mock logs every request through java.util.logging; held so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  @Option(names = "--services", defaultValue = "5000", description = "Default: ${DEFAULT-VALUE}.")
  int services;

  @Option(
      names = "--endpoints-per-service",
      defaultValue = "10",
      description = "Default: ${DEFAULT-VALUE}.")
  int endpointsPerService;

  @Option(names = "--namespaces", defaultValue = "50", description = "Default: ${DEFAULT-VALUE}.")
  int namespaces;

  @Option(
      names = "--pods",
      description = "Also create one Pod per endpoint (labels for subsets), as a real cluster has.")
  boolean pods;

  @Option(names = "--xmx", defaultValue = "512m", description = "Default: ${DEFAULT-VALUE}.")
  String xmx;

  @Option(
      names = "--jar",
      defaultValue = "${sys:sextant.home:-.}/control-plane/target/sextant.jar",
      description = "The control plane's jar (default: ${DEFAULT-VALUE}).")
  Path jar;

  @Option(names = "--json", description = "Also write the result as JSON to this file.")
  Path json;

  @Spec CommandSpec command;

  @Override
  public Integer call() throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    String url = "http://127.0.0.1:" + server.getPort();
    Path dir = Files.createTempDirectory("sextant-k8s-sync-");
    try (KubernetesClient client =
        KubernetesClients.create(new ConfigBuilder().withMasterUrl(url).build())) {
      long filling = System.nanoTime();
      fill(client);
      System.out.printf(
          "k8s-sync: %d services, %d endpoints%s in %d namespaces created in %.1f s; files in %s%n",
          services,
          services * endpointsPerService,
          pods ? " (and as many pods)" : "",
          namespaces,
          (System.nanoTime() - filling) / 1e9,
          dir);
      int xdsPort = ScenarioCommand.freePort();
      int adminPort = ScenarioCommand.freePort();
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters: [{name: mock, cluster: {server: %s}}]
          users: [{name: bench, user: {token: unused}}]
          contexts: [{name: mock, context: {cluster: mock, user: bench}}]
          current-context: mock
          """
              .formatted(url));
      Path config = dir.resolve("sextant.yaml");
      Files.writeString(
          config,
          """
          xds: {address: 127.0.0.1, port: %d}
          admin: {address: 127.0.0.1, port: %d}
          registries:
            - {name: cluster, type: kubernetes, kubeconfig: %s}
          """
              .formatted(xdsPort, adminPort, kubeconfig));
      JsonObject result = measure(config, adminPort, dir.resolve("control-plane.log"));
      System.out.printf(
          "first full sync: %d services, %d endpoints; synced %.2f s after the JVM started"
              + " (registry's own count: %s); ready %.2f s; live heap after GC %.0f MiB"
              + " (-Xmx%s); control plane CPU %.1f s%n",
          result.get("services").getAsInt(),
          result.get("endpoints").getAsInt(),
          result.get("syncedSeconds").getAsDouble(),
          result.get("registryLogLine").getAsString(),
          result.get("readySeconds").getAsDouble(),
          result.get("liveHeapMiB").getAsDouble(),
          xmx,
          result.get("cpuSeconds").getAsDouble());
      if (json != null) {
        result.addProperty(
            "command",
            "bin/sextant-loadgen "
                + String.join(" ", command.commandLine().getParseResult().originalArgs()));
        result.add("environment", Environment.describe());
        Files.writeString(json, result.toString());
      }
      return 0;
    } finally {
      server.destroy();
    }
  }

  /** Namespaces, then Services and their EndpointSlices (and Pods), created in parallel. */
  private void fill(KubernetesClient client) throws Exception {
    for (int n = 0; n < namespaces; n++) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns(n)).endMetadata().build())
          .create();
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < services; i++) {
        int s = i;
        work.add(pool.submit(() -> createService(client, s)));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static String ns(int n) {
    return "ns-" + n;
  }

  private void createService(KubernetesClient client, int s) {
    String namespace = ns(s % namespaces);
    String name = "svc-" + s;
    client
        .services()
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .withLabels(Map.of("app", name))
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.96." + (s / 250) + "." + (s % 250 + 1))
                .withPorts(
                    new ServicePortBuilder()
                        .withName("http")
                        .withPort(8080)
                        .withTargetPort(new IntOrString(8080))
                        .build())
                .endSpec()
                .build())
        .create();
    List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> endpoints = new ArrayList<>();
    for (int e = 0; e < endpointsPerService; e++) {
      String ip = "10." + (s / 6400 + 128) + "." + ((s / 25) % 256) + "." + ((s % 25) * 10 + e + 1);
      String pod = name + "-" + e;
      endpoints.add(
          new EndpointBuilder()
              .withAddresses(ip)
              .withNodeName("node-" + (e % 3))
              .withNewConditions()
              .withReady(true)
              .endConditions()
              .withNewTargetRef()
              .withKind("Pod")
              .withName(pod)
              .withNamespace(namespace)
              .endTargetRef()
              .build());
      if (pods) {
        client
            .pods()
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withNamespace(namespace)
                    .withName(pod)
                    .withLabels(Map.of("app", name, "version", "v" + (e % 2 + 1)))
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName("node-" + (e % 3))
                    .endSpec()
                    .withNewStatus()
                    .withPodIP(ip)
                    .endStatus()
                    .build())
            .create();
      }
    }
    client
        .discovery()
        .v1()
        .endpointSlices()
        .resource(
            new EndpointSliceBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name + "-1")
                .withLabels(Map.of("kubernetes.io/service-name", name))
                .endMetadata()
                .withAddressType("IPv4")
                .withPorts(
                    new EndpointPortBuilder()
                        .withName("http")
                        .withPort(8080)
                        .withProtocol("TCP")
                        .build())
                .withEndpoints(endpoints)
                .build())
        .create();
  }

  /** Starts the control plane and polls its admin API until the registry has synced. */
  private JsonObject measure(Path config, int adminPort, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long started = System.nanoTime();
    Process cp =
        new ProcessBuilder(
                java,
                "-Xmx" + xmx,
                "-XX:+UseG1GC",
                "-jar",
                jar.toString(),
                "serve",
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    HttpClient http = HttpClient.newHttpClient();
    try {
      double synced = -1;
      double ready = -1;
      JsonObject registry = null;
      long deadline = started + TimeUnit.MINUTES.toNanos(10);
      while (System.nanoTime() < deadline && (synced < 0 || ready < 0)) {
        if (!cp.isAlive()) {
          throw new IllegalStateException("the control plane exited; see " + log);
        }
        try {
          if (synced < 0) {
            JsonObject r =
                JsonParser.parseString(get(http, adminPort, "/debug/registryz").body())
                    .getAsJsonObject()
                    .getAsJsonArray("registries")
                    .get(0)
                    .getAsJsonObject();
            if (r.get("synced").getAsBoolean()) {
              synced = (System.nanoTime() - started) / 1e9;
              registry = r;
            }
          }
          if (ready < 0 && get(http, adminPort, "/readyz").statusCode() == 200) {
            ready = (System.nanoTime() - started) / 1e9;
          }
        } catch (IOException notListeningYet) {
          // retry
        }
        Thread.sleep(20);
      }
      if (registry == null) {
        throw new IllegalStateException("the registry did not sync; see " + log);
      }
      JsonObject mem =
          JsonParser.parseString(get(http, adminPort, "/debug/memz?gc=true").body())
              .getAsJsonObject();
      JsonObject out = new JsonObject();
      out.addProperty("scenario", "k8s-sync");
      out.addProperty("services", registry.get("services").getAsInt());
      out.addProperty("endpoints", registry.get("endpoints").getAsInt());
      out.addProperty("pods", pods);
      out.addProperty("controlPlaneXmx", xmx);
      out.addProperty("syncedSeconds", synced);
      out.addProperty("readySeconds", ready);
      out.addProperty("liveHeapMiB", mem.get("heapUsedBytes").getAsLong() / 1048576.0);
      out.addProperty("cpuSeconds", mem.get("processCpuSeconds").getAsDouble());
      out.addProperty("registryLogLine", firstSyncLine(log));
      return out;
    } finally {
      cp.destroy();
      cp.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** What the registry itself logged about its first sync (it times from its first list). */
  private static String firstSyncLine(Path log) throws IOException {
    return Files.readAllLines(log).stream()
        .filter(l -> l.contains("first sync done"))
        .map(l -> l.substring(l.indexOf("first sync done")))
        .findFirst()
        .orElse("");
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(java.time.Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
