package io.sextant.e2e;

import static io.sextant.registry.kubernetes.KubeObjects.port;
import static io.sextant.registry.kubernetes.KubeObjects.ready;
import static io.sextant.registry.kubernetes.KubeObjects.service;
import static io.sextant.registry.kubernetes.KubeObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.sextant.registry.consul.FakeConsul;
import io.sextant.registry.consul.Registration;
import io.sextant.registry.kubernetes.MockApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * One mesh host served from three registries at once: a Kubernetes Service (mock API server), a
 * Consul service (the loopback fake) and a ZooKeeper service (Curator's TestingServer), merged by
 * host aliases; grpc-java's xDS client reaches the backends of all three. Then ZooKeeper is stopped
 * and its last known endpoints keep receiving traffic; and a second host shows failover priority: a
 * Consul datacenter of priority 1 receives traffic only while the Kubernetes endpoints of priority
 * 0 are gone. One JVM of its own (grpc-java keeps one xDS client per JVM).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiRegistryProxylessTest {
  private static final String GREETER = "greeter.demo.svc.cluster.local";
  private static final String ORDERS = "orders.demo.svc.cluster.local";

  private MockApiServer api;
  private KubernetesClient k8s;
  private FakeConsul consul;
  private TestingServer zookeeper;
  private CuratorFramework zkClient;
  private ServiceDiscovery<Map> discovery;
  private ControlPlane controlPlane;
  private final Map<String, GrpcBackend> backends = new HashMap<>();
  private final Map<String, ManagedChannel> channels = new HashMap<>();

  private GrpcBackend backend(String name) {
    return backends.computeIfAbsent(name, GrpcBackend::new);
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    api = new MockApiServer();
    k8s = api.admin();
    k8s.services().resource(service("demo", "greeter", port("grpc", 7070, 7070))).create();
    k8s.services().resource(service("demo", "orders", port("grpc", 7071, 7071))).create();
    k8sEndpoints("greeter", "from-k8s");
    k8sEndpoints("orders", "orders-primary");

    consul = new FakeConsul();
    consul.addDatacenter("dc1");
    consul.addDatacenter("dc2");
    consul.register(Registration.of("greeter", "c1", "127.0.0.1", backend("from-consul").port()));
    consul.register(
        Registration.of("orders", "o1", "127.0.0.1", backend("orders-fallback").port())
            .inDatacenter("dc2"));

    zookeeper = new TestingServer(true);
    zkClient =
        CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
    zkClient.start();
    discovery =
        ServiceDiscoveryBuilder.builder(Map.class).client(zkClient).basePath("/services").build();
    discovery.start();
    discovery.registerService(
        ServiceInstance.<Map>builder()
            .name("greeter")
            .id("z1")
            .address("127.0.0.1")
            .port(backend("from-zookeeper").port())
            .build());

    int xdsPort = ControlPlane.freePort();
    Path config = dir.resolve("sextant.yaml");
    Files.writeString(
        config,
        """
        xds: {address: 127.0.0.1, port: %d}
        admin: {address: 127.0.0.1, port: 0}
        registries:
          - {name: cluster, type: kubernetes, kubeconfig: %s}
          - name: consul
            type: consul
            address: %s
            datacenters: [dc1]
            staleAfter: 1s
            aliases:
              - {service: greeter.service.consul, host: %s, port: 7070, protocol: GRPC}
          - name: zk
            type: zookeeper
            connect: %s
            layout: curator
            staleAfter: 1s
            aliases:
              - {service: greeter, host: %s, port: 7070, protocol: GRPC}
          - name: consul-dr
            type: consul
            address: %s
            datacenters: [dc2]
            priority: 1
            aliases:
              - {service: orders.service.consul, host: %s, port: 7071, protocol: GRPC}
        push: {debounceQuiet: 20ms, debounceMax: 200ms}
        """
            .formatted(
                xdsPort,
                api.writeKubeconfig(dir),
                consul.address(),
                GREETER,
                zookeeper.getConnectString(),
                GREETER,
                consul.address(),
                ORDERS));
    controlPlane = ControlPlane.start(config, xdsPort);
    ControlPlane.bootstrapGrpcXds(xdsPort, "multi-e2e-client", "demo");
  }

  /** The service's endpoints in Kubernetes become exactly {@code names} (one slice each). */
  private void k8sEndpoints(String service, String... names) {
    var slices = k8s.discovery().v1().endpointSlices().inNamespace("demo");
    slices.withLabel("kubernetes.io/service-name", service).delete();
    for (String name : names) {
      slices
          .resource(
              slice(
                  "demo",
                  service,
                  name,
                  "grpc",
                  backend(name).port(),
                  List.of(ready("127.0.0.1", null, null))))
          .create();
    }
  }

  @AfterAll
  void stop() throws Exception {
    GrpcChannels.shutdown(channels.values());
    if (controlPlane != null) {
      controlPlane.close();
    }
    // ZooKeeper was stopped by a test: closing its clients fails, which does not matter here.
    for (AutoCloseable c : new AutoCloseable[] {discovery, zkClient, zookeeper}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        System.out.println("closing " + c + " after ZooKeeper was stopped: " + e);
      }
    }
    if (consul != null) {
      consul.close();
    }
    backends.values().forEach(GrpcBackend::close);
    if (api != null) {
      api.close();
    }
  }

  private String call(String host, int port) {
    ManagedChannel channel =
        channels.computeIfAbsent(
            host,
            h ->
                ManagedChannelBuilder.forTarget("xds:///" + h + ":" + port).usePlaintext().build());
    return GrpcBackend.whoAmI(channel);
  }

  private JsonObject registry(String name) {
    for (JsonElement r : controlPlane.adminJson("/debug/registryz").getAsJsonArray("registries")) {
      if (r.getAsJsonObject().get("name").getAsString().equals(name)) {
        return r.getAsJsonObject();
      }
    }
    throw new AssertionError("no registry " + name);
  }

  @Test
  @Order(1)
  void oneHost_fromKubernetesConsulAndZooKeeper_reachesTheBackendsOfAllThree() {
    assertThat(Tally.of(300, () -> call(GREETER, 7070)))
        .containsOnlyKeys("from-k8s", "from-consul", "from-zookeeper");
  }

  @Test
  @Order(2)
  void withZooKeeperStopped_trafficKeepsReachingItsLastKnownEndpoints() throws Exception {
    zookeeper.stop();
    Poll.until(
        "the zk registry to be marked stale", () -> registry("zk").get("stale").getAsBoolean());

    assertThat(registry("zk").get("endpoints").getAsInt()).isEqualTo(1);
    assertThat(Tally.of(300, () -> call(GREETER, 7070)))
        .containsOnlyKeys("from-k8s", "from-consul", "from-zookeeper");
  }

  @Test
  @Order(3)
  void aLowerPriorityRegistry_takesTrafficOnlyWhileTheHigherOneHasNoEndpoint() {
    call(ORDERS, 7071);
    System.out.println(
        "DEBUGDUMP " + controlPlane.admin("/debug/config_dump?proxy=multi-e2e-client"));
    assertThat(Tally.of(100, () -> call(ORDERS, 7071))).containsOnlyKeys("orders-primary");

    k8sEndpoints("orders");
    Tally.millisUntilSettled(
        System.nanoTime(), 50, () -> call(ORDERS, 7071), "orders-fallback"::equals);
    assertThat(Tally.of(100, () -> call(ORDERS, 7071))).containsOnlyKeys("orders-fallback");

    k8sEndpoints("orders", "orders-primary");
    Tally.millisUntilSettled(
        System.nanoTime(), 50, () -> call(ORDERS, 7071), "orders-primary"::equals);
    assertThat(Tally.of(100, () -> call(ORDERS, 7071))).containsOnlyKeys("orders-primary");
  }
}
