package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sextant.e2e.MeshDirectory.Instance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio fault injection with grpc-java's own xDS client, which runs Envoy's fault filter itself: a
 * 50% abort, a percentage-less (100%) abort and a fixed delay, each on its own service, all served
 * by one real gRPC server. The same rules ask for CORS and a local rate limit, which grpc-java
 * cannot run: they must be left out of what it receives (or grpc-java would reject the
 * configuration) and reported in the translation diagnostics ({@code /debug/configz}). grpc-java
 * keeps one xDS client per JVM, so this class runs in a JVM of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxylessFaultInjectionTest {
  private static final String NODE = "grpc-fault-client";
  private static final String HALF = "half.e2e.svc.cluster.local";
  private static final String DOWN = "down.e2e.svc.cluster.local";
  private static final String SLOW = "slow.e2e.svc.cluster.local";
  private static final Map<String, Integer> PORTS = Map.of(HALF, 50061, DOWN, 50062, SLOW, 50063);

  private GrpcBackend backend;
  private ControlPlane controlPlane;
  private final Map<String, ManagedChannel> channels = new java.util.HashMap<>();

  @BeforeAll
  void start(@TempDir Path dir) {
    backend = new GrpcBackend("backend");
    MeshDirectory mesh = new MeshDirectory(dir);
    for (Map.Entry<String, Integer> e : PORTS.entrySet()) {
      String name = e.getKey().substring(0, e.getKey().indexOf('.'));
      mesh.writeService(
          name, e.getKey(), e.getValue(), "GRPC", List.of(Instance.at(backend.port(), "v1")));
    }
    mesh.write(
        "rules/faults.yaml",
        String.join(
            "---\n",
            routeWithFault(
                HALF,
                """
                fault:
                  abort: {grpcStatus: UNAVAILABLE, percentage: {value: 50}}
                corsPolicy:
                  allowOrigins: [{exact: https://web.example.com}]
                """),
            routeWithFault(DOWN, "fault: {abort: {grpcStatus: INTERNAL}}"),
            routeWithFault(SLOW, "fault: {delay: {fixedDelay: 300ms, percentage: {value: 100}}}"),
            """
            apiVersion: sextant.io/v1alpha1
            kind: RateLimit
            metadata: {name: slow-limit, namespace: e2e}
            spec:
              host: %s
              tokensPerFill: 1
              fillInterval: 1h
            """
                .formatted(SLOW)));
    controlPlane = ControlPlane.start(mesh);
    // Read by grpc-java when its first xDS channel is built; one bootstrap per JVM.
    ControlPlane.bootstrapGrpcXds(controlPlane.xdsPort(), NODE, "e2e");
  }

  /** A VirtualService for {@code host} with one route to it, carrying {@code fields}. */
  private static String routeWithFault(String host, String fields) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: e2e}
        spec:
          hosts: [%s]
          http:
          - route:
            - destination: {host: %2$s}
        """
            .formatted(host.substring(0, host.indexOf('.')), host)
        + fields.indent(4);
  }

  @AfterAll
  void stop() throws InterruptedException {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** One call to {@code host}: OK or the status code it failed with. */
  private Status.Code call(String host) {
    ManagedChannel channel =
        channels.computeIfAbsent(
            host,
            h ->
                ManagedChannelBuilder.forTarget("xds:///" + h + ":" + PORTS.get(h))
                    .usePlaintext()
                    .build());
    try {
      assertThat(GrpcBackend.whoAmI(channel)).isEqualTo("backend");
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private Map<Status.Code, Integer> tally(int calls, String host) {
    Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
    for (int i = 0; i < calls; i++) {
      codes.merge(call(host), 1, Integer::sum);
    }
    return codes;
  }

  @Test
  void aFiftyPercentAbort_failsAboutHalfTheCalls_withTheConfiguredStatus() {
    Map<Status.Code, Integer> codes = tally(400, HALF);

    // Binomial(400, 0.5): mean 200, standard deviation 10; five deviations either side.
    assertThat(codes).containsOnlyKeys(Status.Code.OK, Status.Code.UNAVAILABLE);
    assertThat(codes.get(Status.Code.UNAVAILABLE))
        .as("aborted calls in %s", codes)
        .isBetween(150, 250);
  }

  @Test
  void anAbortWithoutPercentage_failsEveryCall() {
    assertThat(tally(50, DOWN)).containsExactly(Map.entry(Status.Code.INTERNAL, 50));
  }

  @Test
  void aFixedDelay_holdsEveryCallAtLeastThatLong_andTheRateLimitIsNotApplied() {
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long start = System.nanoTime();
      // More calls than the RateLimit's one token: grpc-java cannot run it, so none is limited.
      assertThat(call(SLOW)).isEqualTo(Status.Code.OK);
      millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    assertThat(millis).allSatisfy(m -> assertThat(m).isGreaterThanOrEqualTo(300));
  }

  @Test
  void whatGrpcJavaCannotRun_isLeftOut_andReportedInTheDiagnostics() {
    call(SLOW);

    String dump = controlPlane.admin("/debug/config_dump?proxy=" + NODE);
    assertThat(dump)
        .contains("envoy.filters.http.fault")
        .doesNotContain("envoy.filters.http.cors")
        .doesNotContain("envoy.filters.http.local_ratelimit");
    // The proxy's own dump says why, and so does the mesh-wide list on /debug/configz.
    JsonArray notes = JsonParser.parseString(dump).getAsJsonObject().getAsJsonArray("diagnostics");
    assertThat(notes.toString())
        .contains("corsPolicy is left out for GRPC proxies: grpc-java does not implement the CORS")
        .contains("RateLimit e2e/slow-limit")
        .contains("grpc-java does not implement the local rate limit filter");
    assertThat(controlPlane.admin("/debug/configz"))
        .contains("corsPolicy is left out for GRPC proxies: grpc-java does not implement the CORS")
        .contains("RateLimit e2e/slow-limit")
        .contains("grpc-java does not implement the local rate limit filter");
  }
}
