package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sextant.e2e.MeshDirectory.Instance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every xDS client must see from Sextant, end to end: real control plane, real registry files,
 * real backends, a real client. Subclasses supply the client (proxyless gRPC, Envoy) and the
 * backends it talks to. One control plane per class; the restart test runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class MeshContract {
  static final String HELLO = "hello.e2e.svc.cluster.local";
  static final String SPLIT = "split.e2e.svc.cluster.local";
  static final String MEMBERS = "members.e2e.svc.cluster.local";

  Path dir;
  MeshDirectory mesh;
  ControlPlane controlPlane;
  private final Map<String, AutoCloseable> backends = new LinkedHashMap<>();
  private final Map<String, Integer> backendPorts = new LinkedHashMap<>();

  /** Why the client cannot run here; empty when it can. Its tests are then skipped, saying so. */
  Optional<String> clientUnavailable() {
    return Optional.empty();
  }

  private Optional<String> skipReason = Optional.empty();

  /** "HTTP" or "GRPC": the protocol of the services and backends. */
  abstract String protocol();

  /** The node id the client's bootstrap uses. */
  abstract String nodeId();

  /** Starts a backend answering with {@code name}; returns it and its port. */
  abstract Map.Entry<AutoCloseable, Integer> startBackend(String name);

  /** The port clients use for {@code host}. */
  abstract int servicePort(String host);

  /** Connects the client to the control plane and waits until it routes to every service. */
  abstract void startClient();

  /** One call to {@code host}: the name of the backend that answered. */
  abstract String call(String host);

  abstract void stopClient();

  /** Client counters that move when configuration is really changed (empty if none). */
  Map<String, Long> churnCounters() {
    return Map.of();
  }

  @BeforeAll
  void startMesh(@TempDir Path tempDir) {
    skipReason = clientUnavailable();
    if (skipReason.isPresent()) {
      System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + skipReason.get());
      return;
    }
    dir = tempDir;
    mesh = new MeshDirectory(dir);
    writeService(HELLO, "hello-1:v1", "hello-2:v1", "hello-3:v1");
    writeService(SPLIT, "split-v1-a:v1", "split-v1-b:v1", "split-v2:v2");
    mesh.writeSplit("split", SPLIT, 80, 20);
    writeService(MEMBERS, "members-1:v1", "members-2:v1", "members-3:v1");
    controlPlane = ControlPlane.start(mesh);
    startClient();
  }

  @BeforeEach
  void skipWithoutClient() {
    assumeTrue(skipReason.isEmpty(), () -> skipReason.orElse(""));
  }

  @AfterAll
  void stopMesh() throws Exception {
    if (mesh == null) {
      return;
    }
    stopClient();
    for (AutoCloseable b : backends.values()) {
      b.close();
    }
    controlPlane.close();
  }

  /** Writes the ServiceEntry of {@code host}, starting a backend per {@code name:version}. */
  void writeService(String host, String... nameVersions) {
    List<Instance> instances = new ArrayList<>();
    for (String nv : nameVersions) {
      String[] parts = nv.split(":");
      if (!backends.containsKey(parts[0])) {
        Map.Entry<AutoCloseable, Integer> b = startBackend(parts[0]);
        backends.put(parts[0], b.getKey());
        backendPorts.put(parts[0], b.getValue());
      }
      instances.add(Instance.at(backendPorts.get(parts[0]), parts[1]));
    }
    String name = host.substring(0, host.indexOf('.'));
    mesh.writeService(name, host, servicePort(host), protocol(), instances);
  }

  @Test
  @Order(1)
  void callsReachEveryEndpointOfTheService_andNothingElse() {
    Map<String, Integer> tally = Tally.of(300, () -> call(HELLO));

    assertThat(tally).containsOnlyKeys("hello-1", "hello-2", "hello-3");
  }

  @Test
  @Order(2)
  void anEightyTwentySplit_landsWithinStatisticalBounds() {
    Map<String, Integer> tally = Tally.of(2000, () -> call(SPLIT));

    int v2 = tally.getOrDefault("split-v2", 0);
    // Binomial(2000, 0.2): mean 400, standard deviation 17.9; five deviations either side.
    assertThat(v2).as("calls to v2 in %s", tally).isBetween(311, 489);
    assertThat(tally).containsOnlyKeys("split-v1-a", "split-v1-b", "split-v2");
  }

  @Test
  @Order(3)
  void removingAnEndpointStopsTrafficToIt_andAddingOneBringsTrafficToIt() {
    assertThat(Tally.of(90, () -> call(MEMBERS)))
        .containsOnlyKeys("members-1", "members-2", "members-3");

    long removedAt = System.nanoTime();
    writeService(MEMBERS, "members-1:v1", "members-2:v1");
    long stoppedAfter =
        Tally.millisUntilSettled(
            removedAt, 300, () -> call(MEMBERS), who -> !who.equals("members-3"));

    long addedAt = System.nanoTime();
    writeService(MEMBERS, "members-1:v1", "members-2:v1", "members-4:v1");
    long seenAfter =
        Tally.millisUntilSeen(addedAt, () -> call(MEMBERS), who -> who.equals("members-4"));

    assertThat(Tally.of(90, () -> call(MEMBERS)))
        .containsOnlyKeys("members-1", "members-2", "members-4");
    System.out.printf(
        "measured (%s): file write -> client stops calling the removed endpoint: %d ms;"
            + " file write -> first call to the added endpoint: %d ms%n",
        getClass().getSimpleName(), stoppedAfter, seenAfter);
  }

  @Test
  @Order(4)
  void aMalformedFileIsRejected_whileTrafficKeepsFlowingUnchanged() {
    Map<String, String> before = ackedVersions();
    String good = mesh.read("services/hello.yaml");

    mesh.write(
        "services/hello.yaml",
        good.replace("resolution: STATIC", "resolution: STATIC\n  hostz: [oops]"));

    Poll.until(
        "the rejected file to be reported with its location",
        () ->
            controlPlane
                .admin("/debug/configz")
                .matches("(?s).*hello\\.yaml:\\d+:\\d+: spec\\.hostz: unknown field.*"));
    assertThat(Tally.of(300, () -> call(HELLO))).containsOnlyKeys("hello-1", "hello-2", "hello-3");
    assertThat(ackedVersions()).isEqualTo(before);
    mesh.write("services/hello.yaml", good);
    Poll.until(
        "the repaired file to be accepted",
        () -> !controlPlane.admin("/debug/configz").contains("hostz"));
  }

  @Test
  @Order(5)
  void restartingTheControlPlaneWithTheSameConfig_givesTheClientIdenticalVersions() {
    Map<String, String> before = ackedVersions();
    Map<String, Long> churnBefore = churnCounters();
    assertThat(before.values()).doesNotContain("");

    controlPlane.restart();
    Poll.until(
        "the client to reconnect and report every type", () -> !ackedVersions().containsValue(""));

    assertThat(ackedVersions()).isEqualTo(before);
    // Nothing had to be re-sent, or what was re-sent is what the client already had.
    for (String type : before.keySet()) {
      assertThat(controlPlane.sentVersion(nodeId(), type)).isIn("", before.get(type));
    }
    assertThat(churnCounters()).isEqualTo(churnBefore);
    assertThat(Tally.of(60, () -> call(HELLO))).containsOnlyKeys("hello-1", "hello-2", "hello-3");
  }

  /** The version of each type the client holds, as the control plane sees it. */
  Map<String, String> ackedVersions() {
    Map<String, String> v = new LinkedHashMap<>();
    for (String type : List.of("LDS", "RDS", "CDS", "EDS")) {
      v.put(type, controlPlane.ackedVersion(nodeId(), type));
    }
    return v;
  }
}
