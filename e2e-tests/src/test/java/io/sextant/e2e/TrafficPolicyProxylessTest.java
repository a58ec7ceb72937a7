package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.sextant.e2e.MeshDirectory.Instance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * DestinationRule traffic policies as grpc-java's own xDS client applies them to real backends: a
 * consistent hash on a header pins each key to one backend, and outlier detection ejects a backend
 * that fails every call. One JVM of its own (grpc-java keeps one xDS client per JVM).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrafficPolicyProxylessTest {
  private static final String STICKY = "sticky.e2e.svc.cluster.local";
  private static final String FLAKY = "flaky.e2e.svc.cluster.local";
  private static final String LEAST = "least.e2e.svc.cluster.local";
  private static final Map<String, Integer> PORTS =
      Map.of(STICKY, 50061, FLAKY, 50062, LEAST, 50063);
  private static final Metadata.Key<String> USER =
      Metadata.Key.of("x-user", Metadata.ASCII_STRING_MARSHALLER);

  private ControlPlane controlPlane;
  private final Map<String, GrpcBackend> backends = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  @BeforeAll
  void start(@TempDir Path dir) {
    MeshDirectory mesh = new MeshDirectory(dir);
    service(mesh, STICKY, "sticky-1", "sticky-2", "sticky-3", "sticky-4");
    service(mesh, FLAKY, "flaky-1", "flaky-2", "flaky-3");
    service(mesh, LEAST, "least-1", "least-2");
    mesh.write(
        "rules/policies.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: sticky, namespace: e2e}
        spec:
          host: %s
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: x-user}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: flaky, namespace: e2e}
        spec:
          host: %s
          trafficPolicy:
            outlierDetection:
              consecutive5xxErrors: 5
              interval: 1s
              baseEjectionTime: 10m
              maxEjectionPercent: 50
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: least, namespace: e2e}
        spec:
          host: %s
          trafficPolicy:
            loadBalancer: {simple: LEAST_REQUEST}
        """
            .formatted(STICKY, FLAKY, LEAST));
    controlPlane = ControlPlane.start(mesh);
    ControlPlane.bootstrapGrpcXds(controlPlane.xdsPort(), "policy-e2e-client", "e2e");
  }

  private void service(MeshDirectory mesh, String host, String... names) {
    List<Instance> instances = new ArrayList<>();
    for (String name : names) {
      GrpcBackend b = new GrpcBackend(name);
      backends.put(name, b);
      instances.add(Instance.at(b.port(), "v1"));
    }
    mesh.writeService(
        host.substring(0, host.indexOf('.')), host, PORTS.get(host), "GRPC", instances);
  }

  @AfterAll
  void stop() throws Exception {
    GrpcChannels.shutdown(channels.values());
    if (controlPlane != null) {
      controlPlane.close();
    }
    backends.values().forEach(GrpcBackend::close);
  }

  private ManagedChannel channel(String host) {
    return channels.computeIfAbsent(
        host,
        h ->
            ManagedChannelBuilder.forTarget("xds:///" + h + ":" + PORTS.get(h))
                .usePlaintext()
                .build());
  }

  /** One call carrying {@code x-user: user}: the backend that answered. */
  private String callAs(String user) {
    Metadata headers = new Metadata();
    headers.put(USER, user);
    return ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(
            channel(STICKY), MetadataUtils.newAttachHeadersInterceptor(headers)),
        GrpcBackend.WHO_AM_I,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        "");
  }

  /** One call to the flaky service: who answered, or {@code failed:NAME} for a refusal. */
  private String callFlaky() {
    try {
      return GrpcBackend.whoAmI(channel(FLAKY));
    } catch (StatusRuntimeException e) {
      String description = e.getStatus().getDescription();
      return description != null && description.startsWith(GrpcBackend.FAILED)
          ? description
          : "error:" + e.getStatus().getCode();
    }
  }

  @Test
  void consistentHashOnAHeader_pinsEachKeyToOneBackend_andSpreadsKeys() {
    // Until every backend has answered some key, the ring's connections are still coming up.
    Set<String> seen = new HashSet<>();
    int[] warm = {0};
    Poll.until(
        "every sticky backend to answer some key",
        () -> {
          seen.add(callAs("warm-" + warm[0]++));
          return seen.size() == 4;
        });

    Set<String> owners = new HashSet<>();
    for (int k = 0; k < 20; k++) {
      String user = "user-" + k;
      Map<String, Integer> tally = Tally.of(25, () -> callAs(user));
      assertThat(tally).as("backends that answered %s", user).hasSize(1);
      owners.addAll(tally.keySet());
    }
    // Twenty keys on one backend of four by chance: (1/4)^19.
    assertThat(owners).as("backends owning the 20 keys").hasSizeGreaterThan(1);
  }

  @Test
  void outlierDetection_ejectsABackendThatFailsEveryCall() {
    assertThat(Tally.of(60, this::callFlaky)).containsOnlyKeys("flaky-1", "flaky-2", "flaky-3");

    backends.get("flaky-2").failing(true);
    // Its failures show first; once ejected, it receives no call for the 10 minute ejection.
    Tally.millisUntilSeen(System.nanoTime(), this::callFlaky, "failed:flaky-2"::equals);
    Tally.millisUntilSettled(
        System.nanoTime(),
        200,
        this::callFlaky,
        who -> who.equals("flaky-1") || who.equals("flaky-3"));

    assertThat(Tally.of(300, this::callFlaky)).containsOnlyKeys("flaky-1", "flaky-3");
  }

  @Test
  void leastRequest_reachesTheClientAsRoundRobin_whichGrpcJavaAccepts() {
    // grpc-java 1.62 NACKs a LEAST_REQUEST cluster unless an experimental flag is set; the call
    // would then fail instead of reaching a backend.
    assertThat(Tally.of(40, () -> GrpcBackend.whoAmI(channel(LEAST))))
        .containsOnlyKeys("least-1", "least-2");
  }
}
