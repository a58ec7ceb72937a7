package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.sextant.e2e.GrpcBackend.Behaviour;
import io.sextant.e2e.MeshDirectory.Instance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * VirtualService traffic management as grpc-java's own xDS client applies it, against real gRPC
 * servers: header matching, a weighted split, retries (configured, Istio's default, and turned off)
 * in front of a flaky backend, and a route timeout in front of a slow one. One JVM of its own
 * (grpc-java keeps one xDS client per JVM).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrafficProxylessTest {
  private static final String CANARY = "canary.e2e.svc.cluster.local";
  private static final String RETRIED = "retried.e2e.svc.cluster.local";
  private static final String DEFAULTED = "defaulted.e2e.svc.cluster.local";
  private static final String FRAGILE = "fragile.e2e.svc.cluster.local";
  private static final String SLOW = "slow.e2e.svc.cluster.local";
  private static final Map<String, Integer> PORTS =
      Map.of(CANARY, 50061, RETRIED, 50062, DEFAULTED, 50063, FRAGILE, 50064, SLOW, 50065);

  private final List<GrpcBackend> backends = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private ControlPlane controlPlane;
  private GrpcBackend flaky;

  private GrpcBackend backend(String name, Behaviour behaviour) {
    GrpcBackend b = new GrpcBackend(name, behaviour);
    backends.add(b);
    return b;
  }

  @BeforeAll
  void start(@TempDir Path dir) {
    MeshDirectory mesh = new MeshDirectory(dir);
    GrpcBackend stable = backend("stable", Behaviour.HEALTHY);
    GrpcBackend canary = backend("canary", Behaviour.HEALTHY);
    flaky = backend("flaky", Behaviour.failingEveryOther(Status.UNAVAILABLE));
    GrpcBackend slow = backend("slow", Behaviour.slow(Duration.ofSeconds(3)));
    mesh.writeService(
        "canary",
        CANARY,
        PORTS.get(CANARY),
        "GRPC",
        List.of(Instance.at(stable.port(), "v1"), Instance.at(canary.port(), "v2")));
    for (String host : List.of(RETRIED, DEFAULTED, FRAGILE)) {
      mesh.writeService(
          host.split("\\.")[0],
          host,
          PORTS.get(host),
          "GRPC",
          List.of(Instance.at(flaky.port(), "v1")));
    }
    mesh.writeService(
        "slow", SLOW, PORTS.get(SLOW), "GRPC", List.of(Instance.at(slow.port(), "v1")));
    mesh.write(
        "rules/traffic.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: canary, namespace: e2e}
        spec:
          host: %1$s
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: canary, namespace: e2e}
        spec:
          hosts: [%1$s]
          http:
          - name: testers
            match:
            - headers:
                x-tester: {exact: "yes"}
            route:
            - destination: {host: %1$s, subset: v2}
          - name: split
            route:
            - destination: {host: %1$s, subset: v1}
              weight: 80
            - destination: {host: %1$s, subset: v2}
              weight: 20
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: retried, namespace: e2e}
        spec:
          hosts: [%2$s]
          http:
          - retries: {attempts: 3, retryOn: unavailable}
            route:
            - destination: {host: %2$s}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: fragile, namespace: e2e}
        spec:
          hosts: [%3$s]
          http:
          - retries: {attempts: 0}
            route:
            - destination: {host: %3$s}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: slow, namespace: e2e}
        spec:
          hosts: [%4$s]
          http:
          - timeout: 300ms
            route:
            - destination: {host: %4$s}
        """
            .formatted(CANARY, RETRIED, FRAGILE, SLOW));
    controlPlane = ControlPlane.start(mesh);
    ControlPlane.bootstrapGrpcXds(controlPlane.xdsPort(), "traffic-e2e-client", "e2e");
  }

  @AfterAll
  void stop() throws InterruptedException {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    backends.forEach(GrpcBackend::close);
  }

  private ManagedChannel channel(String host) {
    return channels.computeIfAbsent(
        host,
        h ->
            ManagedChannelBuilder.forTarget("xds:///" + h + ":" + PORTS.get(h))
                .usePlaintext()
                .build());
  }

  private String call(String host) {
    return GrpcBackend.whoAmI(channel(host));
  }

  /** Calls {@code host} with {@code x-tester: yes}. */
  private String callAsTester(String host) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-tester", Metadata.ASCII_STRING_MARSHALLER), "yes");
    return GrpcBackend.whoAmI(
        io.grpc.ClientInterceptors.intercept(
            channel(host), MetadataUtils.newAttachHeadersInterceptor(headers)));
  }

  /** The status a call ended with: OK or the failure's code. */
  private Status.Code outcome(String host) {
    try {
      call(host);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void headerMatch_sendsTestersToTheCanary_andTheRestIsSplitByWeight() {
    assertThat(Tally.of(100, () -> callAsTester(CANARY))).containsOnlyKeys("canary");

    int calls = 2000;
    Map<String, Integer> tally = Tally.of(calls, () -> call(CANARY));
    assertThat(tally).containsOnlyKeys("stable", "canary");
    // 20% to v2, within five standard deviations of a binomial(2000, 0.2): 400 +- 89.
    double sigma = Math.sqrt(calls * 0.2 * 0.8);
    assertThat((double) tally.get("canary")).isBetween(400 - 5 * sigma, 400 + 5 * sigma);
  }

  /** The three hosts share one backend that fails every odd-numbered call it receives. */
  @Test
  void retries_hideAFlakyBackend_andAttemptsZeroExposesIt() {
    long failedBefore = flaky.failures();
    assertThat(outcomes(RETRIED, 200)).containsOnlyKeys(Status.Code.OK);
    // No `retries` at all: Istio's default policy (2 retries, on UNAVAILABLE among others).
    assertThat(outcomes(DEFAULTED, 200)).containsOnlyKeys(Status.Code.OK);
    assertThat(flaky.failures() - failedBefore)
        .as("the backend really failed while retries hid it")
        .isEqualTo(400);

    Map<Status.Code, Integer> fragile = outcomes(FRAGILE, 200);
    assertThat(fragile)
        .as("without retries every other call fails")
        .containsEntry(Status.Code.UNAVAILABLE, 100)
        .containsEntry(Status.Code.OK, 100);
  }

  private Map<Status.Code, Integer> outcomes(String host, int calls) {
    Map<Status.Code, Integer> counts = new HashMap<>();
    for (int i = 0; i < calls; i++) {
      counts.merge(outcome(host), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void routeTimeout_endsACallToASlowBackend_withDeadlineExceeded() {
    // The client's own deadline is 10 s; the backend takes 3 s; only the route's 300 ms can end it.
    StatusRuntimeException e = catchThrowableOfType(() -> call(SLOW), StatusRuntimeException.class);
    assertThat(e).as("the call should have failed").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }
}
