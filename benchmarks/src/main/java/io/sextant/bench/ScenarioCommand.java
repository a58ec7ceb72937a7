package io.sextant.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.sextant.bench.loadgen.LoadGenerator;
import io.sextant.bench.loadgen.Report;
import io.sextant.bench.mesh.MeshFiles;
import io.sextant.bench.mesh.MeshSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs a standard scenario end to end: generates the mesh as files, starts the control plane in a
 * JVM of its own with {@code -Xmx} set, runs the load generator in this JVM, prints the report.
 */
@Command(
    name = "scenario",
    mixinStandardHelpOptions = true,
    description = "Run a standard scenario: smoke, mesh-1k, mesh-10k or cold-start.")
final class ScenarioCommand implements Callable<Integer> {
  @Parameters(paramLabel = "NAME", description = "smoke, mesh-1k, mesh-10k or cold-start")
  String name;

  @Option(
      names = "--jar",
      defaultValue = "${sys:sextant.home:-.}/control-plane/target/sextant.jar",
      description = "The control plane's jar (default: ${DEFAULT-VALUE}).")
  Path jar;

  @Option(
      names = "--xmx",
      description = "-Xmx of the control plane JVM (default: the scenario's, 512m; mesh-10k 1g).")
  String xmx;

  @Option(names = "--proxies", description = "Simulated proxies (default: the scenario's).")
  Integer proxies;

  @Option(
      names = "--churn-seconds",
      description = "Length of each churn phase (default: the scenario's).")
  Integer churnSeconds;

  @Option(
      names = "--settle-seconds",
      description =
          "Endpoint and rule changes together, at the phases' rates, for this long after the cold"
              + " start and before the measured phases; 0 measures right after the cold start"
              + " (default: the scenario's, 90 for mesh-1k and mesh-10k).")
  Integer settleSeconds;

  @Option(
      names = "--endpoint-changes",
      description = "Endpoint changes per second; 0 skips that phase (default: the scenario's).")
  Double endpointChanges;

  @Option(
      names = "--rule-changes",
      description =
          "VirtualService changes per second; 0 skips that phase (default: the scenario's).")
  Double ruleChanges;

  @Option(names = "--delta", description = "Simulate proxies that speak delta xDS.")
  boolean delta;

  @Option(names = "--ports", description = "Distinct service ports (default: 20).")
  Integer ports;

  @Mixin SidecarScopeOption sidecarScope;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Load generator network threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--control-plane-config",
      description =
          "YAML appended to the generated sextant.yaml, e.g. 'push: {debounceQuiet: 20ms}'.")
  String extraConfig = "";

  @Option(
      names = "--control-plane-jvm-option",
      paramLabel = "OPTION",
      description =
          "An extra option for the control plane's JVM, e.g. -XX:+UseParallelGC (repeatable).")
  List<String> jvmOptions = new ArrayList<>();

  @Option(
      names = "--control-plane-java",
      paramLabel = "JAVA",
      description =
          "The java launcher of the control plane's JVM, e.g."
              + " /usr/lib/jvm/temurin-25-jdk-amd64/bin/java (default: the one running the load"
              + " generator).")
  Path controlPlaneJava;

  @Option(names = "--json", description = "Also write the report as JSON to this file.")
  Path json;

  @Option(
      names = "--jfr",
      description =
          "Record the control plane with Java Flight Recorder (profile settings) to this file.")
  Path jfr;

  @Option(
      names = "--warm-up",
      negatable = true,
      description =
          "First connect the proxies to a throwaway control plane, so that the load generator's"
              + " own JIT compilation does not fall in the measured cold start; the measured"
              + " control plane is still freshly started (default: on, except for smoke).")
  Boolean warmUp;

  @Spec CommandSpec command;

  @Override
  public Integer call() throws Exception {
    Preset preset = Preset.of(name);
    if (xmx == null) {
      xmx = preset.xmx;
    }
    MeshSpec spec = preset.mesh.withSidecarScope(sidecarScope.scope);
    if (ports != null) {
      spec =
          new MeshSpec(
              spec.services(),
              spec.endpointsPerService(),
              spec.virtualServices(),
              spec.namespaces(),
              MeshSpec.COMMON_PORTS.subList(0, Math.min(ports, MeshSpec.COMMON_PORTS.size())),
              spec.sidecarScope());
    }
    Path dir = Files.createTempDirectory("sextant-" + preset.label() + "-");
    MeshFiles mesh = new MeshFiles(spec, dir);
    System.out.printf(
        "scenario %s: %d services x %d endpoints, %d VirtualServices, %d ports,"
            + " Sidecar scope %s; files in %s%n",
        preset.label(),
        spec.services(),
        spec.endpointsPerService(),
        spec.virtualServices(),
        spec.ports().size(),
        spec.sidecarScope().label(),
        dir);
    int fleet = proxies != null ? proxies : preset.proxies;
    if (warmUp != null ? warmUp : preset.warmUp) {
      long start = System.nanoTime();
      run(
          mesh,
          dir.resolve("warm-up-control-plane.log"),
          fleet,
          0,
          0,
          Duration.ZERO,
          Duration.ZERO,
          null);
      System.out.printf(
          "warm-up: %d proxies connected to a throwaway control plane in %.1f s; the load"
              + " generator's code is now compiled, and a fresh control plane is measured%n",
          fleet, (System.nanoTime() - start) / 1e9);
    }
    Report report =
        run(
            mesh,
            dir.resolve("control-plane.log"),
            fleet,
            endpointChanges != null ? endpointChanges : preset.endpointChangesPerSecond,
            ruleChanges != null ? ruleChanges : preset.ruleChangesPerSecond,
            Duration.ofSeconds(churnSeconds != null ? churnSeconds : preset.churnSeconds),
            Duration.ofSeconds(settleSeconds != null ? settleSeconds : preset.settleSeconds),
            jfr);
    System.out.print(report.summary());
    if (json != null) {
      var o =
          record(
              report,
              preset.label(),
              spec,
              xmx,
              "bin/sextant-loadgen "
                  + String.join(" ", command.commandLine().getParseResult().originalArgs()));
      o.addProperty("controlPlaneJvm", Environment.jvmOf(java()));
      JsonArray options = new JsonArray();
      controlPlaneJvmOptions(xmx, jvmOptions).forEach(options::add);
      o.add("controlPlaneJvmOptions", options);
      Files.writeString(json, o.toString());
    }
    return 0;
  }

  /**
   * Starts a control plane of its own on fresh ports, runs the load generator against it, and stops
   * it.
   */
  private Report run(
      MeshFiles mesh,
      Path log,
      int fleet,
      double endpointsPerSecond,
      double rulesPerSecond,
      Duration churn,
      Duration settle,
      Path recording)
      throws Exception {
    int xdsPort = freePort();
    int adminPort = freePort();
    Path config =
        mesh.writeAll(xdsPort, adminPort, extraConfig.isEmpty() ? "" : extraConfig + "\n");
    Process controlPlane = startControlPlane(config, log, recording);
    try {
      awaitReady(adminPort, controlPlane);
      LoadGenerator.Options options =
          new LoadGenerator.Options(
              "127.0.0.1",
              xdsPort,
              "127.0.0.1:" + adminPort,
              fleet,
              delta,
              mesh,
              endpointsPerSecond,
              rulesPerSecond,
              churn,
              threads,
              settle);
      try (LoadGenerator load = new LoadGenerator(options)) {
        return load.run();
      }
    } finally {
      controlPlane.destroy();
      controlPlane.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The report as the results table reads it: with the scenario, its mesh, and the machine. */
  static JsonObject record(
      Report report, String scenario, MeshSpec spec, String xmx, String commandLine) {
    JsonObject o = report.toJson();
    o.addProperty("scenario", scenario);
    o.addProperty("controlPlaneXmx", xmx);
    o.addProperty("services", spec.services());
    o.addProperty("ports", spec.ports().size());
    o.addProperty("endpointsPerService", spec.endpointsPerService());
    o.addProperty("virtualServices", spec.virtualServices());
    o.addProperty("sidecarScope", spec.sidecarScope().label());
    o.addProperty("command", commandLine);
    o.add("environment", Environment.describe());
    return o;
  }

  private Path java() {
    return controlPlaneJava != null
        ? controlPlaneJava
        : Path.of(System.getProperty("java.home"), "bin", "java");
  }

  private Process startControlPlane(Path config, Path log, Path recording) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(java().toString()));
    cmd.addAll(controlPlaneJvmOptions(xmx, jvmOptions));
    if (recording != null) {
      cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + recording.toAbsolutePath());
    }
    cmd.addAll(List.of("-jar", jar.toString(), "serve", "--config", config.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * The measured control plane's JVM options: the heap fixed at {@code xmx}, G1 unless {@code
   * extra} picks another collector (the JVM refuses to start with two), then {@code extra}. Not the
   * parallel collector, whose pauses grow under rule churn: docs/performance.md, "The parallel
   * collector".
   */
  static List<String> controlPlaneJvmOptions(String xmx, List<String> extra) {
    List<String> options = new ArrayList<>(List.of("-Xmx" + xmx, "-Xms" + xmx));
    if (extra.stream().noneMatch(o -> o.matches("-XX:\\+Use\\w+GC"))) {
      options.add("-XX:+UseG1GC");
    }
    options.addAll(extra);
    return options;
  }

  private static void awaitReady(int adminPort, Process controlPlane) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (!controlPlane.isAlive()) {
        throw new IllegalStateException(
            "the control plane exited with " + controlPlane.exitValue());
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // retry
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the control plane did not become ready");
  }

  /** Ports handed out by {@link #freePort()} in this JVM. */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  /**
   * A port nothing listens on, never the same twice in one JVM: the kernel may offer a port it has
   * just offered, once the socket that held it is closed, and a control plane given the same port
   * for xDS and admin cannot start.
   */
  static int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }
}
