package io.sextant.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.bench.loadgen.TypeStats.Type;
import io.sextant.bench.mesh.MeshFiles;
import io.sextant.bench.mesh.MeshSpec;
import io.sextant.bench.mesh.SidecarScope;
import io.sextant.server.SextantServer;
import io.sextant.server.config.ConfigFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the instrument working: the load generator's smoke run (20 proxies, a few seconds of churn)
 * against the real control plane, in-process, on a small generated mesh. Every proxy must converge,
 * every change must reach every proxy (with namespace Sidecars: every proxy of its namespace, and
 * no other), and endpoint churn must move EDS only.
 */
class LoadGeneratorSmokeTest {
  private static final MeshSpec MESH = MeshSpec.of(20, 4, 5);
  private static final int PROXIES = 20;

  @TempDir Path dir;

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void everyProxyConvergesAndEveryChangeReachesThem(boolean delta) throws Exception {
    Report report = run(MESH, delta, Duration.ofSeconds(2));

    assertEveryChangeConverged(report);
    // The settle churned endpoints and rules together; its changes converged but are not counted
    // in the measured phases (its rule changes would show as RDS during endpoint churn).
    assertThat(report.settle().latencies().changes()).as("settle's endpoint changes").isPositive();
    Report.Phase measured = report.endpoints();
    assertThat(
            measured.latencies().changes()
                + measured.latencies().unconverged()
                + measured.superseded())
        .as("endpoint changes counted in 2 s at 5/s")
        .isLessThanOrEqualTo(11);
    var received = report.endpoints().received();
    long edsResponses = received.get(Type.EDS)[0];
    long edsResources = received.get(Type.EDS)[1];
    assertThat(edsResponses)
        .isGreaterThanOrEqualTo((long) PROXIES * report.endpoints().latencies().changes() / 2);
    // One moved endpoint changes its service's assignments (at most one per subset: three);
    // resending every assignment a proxy watches would be 3 x 20 = 60 per response.
    assertThat((double) edsResources / edsResponses)
        .as("assignments per EDS response")
        .isLessThanOrEqualTo(6.0);

    assertThat(report.controlPlaneLiveHeapBytes())
        .as("live heap read over the admin API")
        .isPositive();
    assertThat(report.endpoints().controlPlaneCores())
        .as("CPU read over the admin API")
        .isPositive();
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void withNamespaceSidecars_everyChangeReachesItsNamespaceAndNoOtherProxy(boolean delta)
      throws Exception {
    Report report = run(MESH.withSidecarScope(SidecarScope.NAMESPACE), delta, Duration.ZERO);

    assertEveryChangeConverged(report);
    for (Report.Phase phase : new Report.Phase[] {report.endpoints(), report.rules()}) {
      assertThat(phase.unexpectedDeliveries())
          .as("responses carrying a change to a proxy outside its namespace")
          .isZero();
    }
    // 20 proxies over 10 namespaces: a change concerns 2 of them, not all 20.
    Report.Phase endpoints = report.endpoints();
    long changes =
        endpoints.latencies().changes()
            + endpoints.latencies().unconverged()
            + endpoints.superseded();
    assertThat(endpoints.received().get(Type.EDS)[0])
        .as("EDS responses during endpoint churn, %d changes", changes)
        .isLessThanOrEqualTo(2 * (PROXIES / MESH.namespaces()) * changes);
  }

  /** The smoke run: the control plane in-process, {@code PROXIES} proxies, 2 s of each churn. */
  private Report run(MeshSpec spec, boolean delta, Duration settle) throws Exception {
    MeshFiles mesh = new MeshFiles(spec, dir);
    Path configFile = mesh.writeAll(0, 0);
    ConfigFile.Result config = ConfigFile.load(configFile);
    assertThat(config.errors()).isEmpty();
    try (SextantServer server = SextantServer.start(config.config().orElseThrow())) {
      LoadGenerator.Options options =
          new LoadGenerator.Options(
              "127.0.0.1",
              server.xdsPort(),
              "127.0.0.1:" + server.adminPort(),
              PROXIES,
              delta,
              mesh,
              5,
              2,
              Duration.ofSeconds(2),
              2,
              settle);
      Report report;
      try (LoadGenerator load = new LoadGenerator(options)) {
        report = load.run();
      }
      System.out.print(report.summary());
      return report;
    }
  }

  /** Every proxy converged, every change converged, and endpoint churn moved EDS only. */
  private static void assertEveryChangeConverged(Report report) {
    assertThat(report.coldStartSeconds()).as("every proxy ACKed every type").isFinite();

    Report.Latencies endpoints = report.endpoints().latencies();
    assertThat(endpoints.changes()).as("endpoint changes that converged").isGreaterThan(5);
    assertThat(endpoints.unconverged()).as("endpoint changes that never arrived").isZero();
    Report.Latencies rules = report.rules().latencies();
    assertThat(rules.changes()).as("rule changes that converged").isGreaterThan(1);
    assertThat(rules.unconverged()).as("rule changes that never arrived").isZero();

    var received = report.endpoints().received();
    for (Type unrelated : new Type[] {Type.LDS, Type.CDS, Type.RDS}) {
      assertThat(received.get(unrelated)[0])
          .as("%s responses during endpoint churn", unrelated)
          .isZero();
    }
  }
}
