package io.sextant.bench;

import io.sextant.bench.loadgen.LoadGenerator;
import io.sextant.bench.loadgen.Report;
import io.sextant.bench.mesh.MeshFiles;
import io.sextant.bench.mesh.MeshSpec;
import io.sextant.bench.mesh.SidecarScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the load generator against a control plane that is already running, on a mesh directory
 * written by {@code scenario} (or by hand with the same shape), which it edits to make changes.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Simulate proxies against a running control plane and churn a generated mesh.")
final class LoadCommand implements Callable<Integer> {
  @Option(names = "--xds", required = true, paramLabel = "HOST:PORT")
  String xds;

  @Option(names = "--admin", paramLabel = "HOST:PORT", description = "For CPU and heap readings.")
  String admin;

  @Option(
      names = "--mesh",
      required = true,
      paramLabel = "DIR",
      description = "The generated mesh directory the control plane serves.")
  Path mesh;

  @Option(names = "--services", defaultValue = "1000")
  int services;

  @Option(names = "--endpoints", defaultValue = "10")
  int endpoints;

  @Option(names = "--virtual-services", defaultValue = "100")
  int virtualServices;

  @Option(names = "--proxies", defaultValue = "100")
  int proxies;

  @Option(names = "--delta")
  boolean delta;

  @Mixin SidecarScopeOption sidecarScope;

  @Option(names = "--endpoint-changes", defaultValue = "10", description = "Per second.")
  double endpointChanges;

  @Option(names = "--rule-changes", defaultValue = "1", description = "Per second.")
  double ruleChanges;

  @Option(names = "--churn-seconds", defaultValue = "30")
  int churnSeconds;

  @Option(
      names = "--settle-seconds",
      defaultValue = "0",
      description =
          "Endpoint and rule changes together for this long after the cold start, not measured.")
  int settleSeconds;

  @Option(names = "--threads", defaultValue = "2")
  int threads;

  @Option(names = "--json")
  Path json;

  @Override
  public Integer call() throws Exception {
    MeshFiles files =
        new MeshFiles(
            MeshSpec.of(services, endpoints, virtualServices).withSidecarScope(sidecarScope.scope),
            mesh);
    if (sidecarScope.scope == SidecarScope.NAMESPACE) {
      files.writeSidecars();
    } else if (files.hasSidecars()) {
      // Expecting every change at every proxy would leave every change unconverged.
      System.err.println(mesh + " has Sidecar files; run with --sidecar-scope namespace");
      return 2;
    }
    int colon = xds.lastIndexOf(':');
    LoadGenerator.Options options =
        new LoadGenerator.Options(
            xds.substring(0, colon),
            Integer.parseInt(xds.substring(colon + 1)),
            admin,
            proxies,
            delta,
            files,
            endpointChanges,
            ruleChanges,
            Duration.ofSeconds(churnSeconds),
            threads,
            Duration.ofSeconds(settleSeconds));
    try (LoadGenerator load = new LoadGenerator(options)) {
      Report report = load.run();
      System.out.print(report.summary());
      if (json != null) {
        Files.writeString(json, report.toJson().toString());
      }
    }
    return 0;
  }
}
