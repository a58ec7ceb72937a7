package io.sextant.e2e;

import static io.sextant.registry.kubernetes.KubeObjects.pod;
import static io.sextant.registry.kubernetes.KubeObjects.port;
import static io.sextant.registry.kubernetes.KubeObjects.ready;
import static io.sextant.registry.kubernetes.KubeObjects.service;
import static io.sextant.registry.kubernetes.KubeObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.sextant.registry.kubernetes.IstioCrds;
import io.sextant.registry.kubernetes.MockApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes end to end: a Service and its EndpointSlices created in fabric8's mock API server
 * point at real local gRPC servers, and grpc-java's xDS client, resolving {@code
 * xds:///greeter.demo.svc.cluster.local:7070} through Sextant, reaches them. Scaling the slices
 * moves the traffic; a VirtualService applied as a custom resource splits it; an API server outage
 * leaves it flowing. One JVM of its own (grpc-java keeps one xDS client per JVM).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesProxylessTest {
  private static final String HOST = "greeter.demo.svc.cluster.local";
  private static final int PORT = 7070;

  private MockApiServer api;
  private KubernetesClient k8s;
  private ControlPlane controlPlane;
  private ManagedChannel channel;
  private final Map<String, GrpcBackend> backends = new LinkedHashMap<>();

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    api = new MockApiServer();
    k8s = api.admin();
    IstioCrds.install(k8s);
    k8s.services().resource(service("demo", "greeter", port("grpc", PORT, PORT))).create();
    for (String name : List.of("greeter-v1-a", "greeter-v1-b", "greeter-v2")) {
      backends.put(name, new GrpcBackend(name));
      String version = name.contains("v2") ? "v2" : "v1";
      k8s.pods()
          .resource(pod("demo", name, "127.0.0.1", Map.of("app", "greeter", "version", version)))
          .create();
    }
    scaleTo("greeter-v1-a", "greeter-v1-b", "greeter-v2");

    int xdsPort = ControlPlane.freePort();
    Path kubeconfig = api.writeKubeconfig(dir);
    Path config = dir.resolve("sextant.yaml");
    Files.writeString(
        config,
        """
        xds: {address: 127.0.0.1, port: %d}
        admin: {address: 127.0.0.1, port: 0}
        registries:
          - {name: cluster, type: kubernetes, kubeconfig: %s, staleAfter: 1s}
        rules:
          - {name: cluster-rules, type: kubernetes, kubeconfig: %s}
        push: {debounceQuiet: 20ms, debounceMax: 200ms}
        """
            .formatted(xdsPort, kubeconfig, kubeconfig));
    controlPlane = ControlPlane.start(config, xdsPort);
    ControlPlane.bootstrapGrpcXds(xdsPort, "k8s-e2e-client", "demo");
    channel = ManagedChannelBuilder.forTarget("xds:///" + HOST + ":" + PORT).usePlaintext().build();
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    backends.values().forEach(GrpcBackend::close);
    if (api != null) {
      api.close();
    }
  }

  /**
   * The service's endpoints become exactly {@code names}: one EndpointSlice per backend (each
   * listens on its own loopback port, and a slice carries one port for all its endpoints).
   */
  private void scaleTo(String... names) {
    Set<String> wanted = Set.of(names);
    for (Map.Entry<String, GrpcBackend> b : backends.entrySet()) {
      var slices = k8s.discovery().v1().endpointSlices().inNamespace("demo");
      if (wanted.contains(b.getKey())) {
        slices
            .resource(
                slice(
                    "demo",
                    "greeter",
                    b.getKey(),
                    "grpc",
                    b.getValue().port(),
                    List.of(ready("127.0.0.1", b.getKey(), null))))
            .createOr(existing -> existing.update());
      } else {
        slices.withName(b.getKey()).delete();
      }
    }
  }

  private String call() {
    return GrpcBackend.whoAmI(channel);
  }

  @Test
  @Order(1)
  void callsThroughXds_reachEveryPodOfTheService() {
    assertThat(Tally.of(300, this::call))
        .containsOnlyKeys("greeter-v1-a", "greeter-v1-b", "greeter-v2");
  }

  @Test
  @Order(2)
  void scalingTheEndpointSlicesDownAndUp_movesTheTraffic() {
    scaleTo("greeter-v1-a");
    Tally.millisUntilSettled(System.nanoTime(), 50, this::call, "greeter-v1-a"::equals);
    assertThat(Tally.of(100, this::call)).containsOnlyKeys("greeter-v1-a");

    scaleTo("greeter-v1-a", "greeter-v1-b", "greeter-v2");
    Tally.millisUntilSeen(System.nanoTime(), this::call, "greeter-v2"::equals);
    assertThat(Tally.of(300, this::call))
        .containsOnlyKeys("greeter-v1-a", "greeter-v1-b", "greeter-v2");
  }

  @Test
  @Order(3)
  void aVirtualServiceAppliedAsACustomResource_splitsTheTraffic() {
    IstioCrds.apply(
        k8s,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: greeter, namespace: demo}
        spec:
          host: greeter
          subsets:
            - {name: v1, labels: {version: v1}}
            - {name: v2, labels: {version: v2}}
        """);
    IstioCrds.apply(
        k8s,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: greeter, namespace: demo}
        spec:
          hosts: [greeter]
          http:
            - route:
                - destination: {host: greeter, subset: v1}
                  weight: 20
                - destination: {host: greeter, subset: v2}
                  weight: 80
        """);
    // Until the split is in, v2 gets a third of the calls; with it, four fifths.
    Poll.until(
        "the 20/80 split to take effect",
        () -> Tally.of(200, this::call).getOrDefault("greeter-v2", 0) > 130);

    Map<String, Integer> tally = Tally.of(2000, this::call);
    int v2 = tally.getOrDefault("greeter-v2", 0);
    // Binomial(2000, 0.8): mean 1600, standard deviation 17.9; five deviations either side.
    assertThat(v2).as("calls to v2 in %s", tally).isBetween(1511, 1689);
    assertThat(tally).containsOnlyKeys("greeter-v1-a", "greeter-v1-b", "greeter-v2");
  }

  @Test
  @Order(4)
  void whileTheApiServerIsUnreachable_trafficKeepsFlowingToTheLastKnownPods() {
    api.disconnect();
    try {
      Poll.until("the registry to be marked stale", () -> registryStale("cluster"));
      Map<String, Integer> tally = Tally.of(500, this::call);
      assertThat(tally).containsOnlyKeys("greeter-v1-a", "greeter-v1-b", "greeter-v2");
    } finally {
      api.reconnect();
    }
    Poll.until("the registry to be live again", () -> !registryStale("cluster"));
    assertThat(Tally.of(100, this::call)).isNotEmpty();
  }

  private boolean registryStale(String name) {
    for (JsonElement r : controlPlane.adminJson("/debug/registryz").getAsJsonArray("registries")) {
      if (r.getAsJsonObject().get("name").getAsString().equals(name)) {
        return r.getAsJsonObject().get("stale").getAsBoolean();
      }
    }
    throw new UncheckedIOException(new IOException("no registry " + name));
  }
}
