package io.sextant.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sextant-loadgen scenario}, run as a user runs it: the control plane from its packaged jar
 * in a JVM of its own, the load generator in this one.
 */
class ScenarioCommandTest {
  /** Built by the control-plane module's package phase, which runs before this module's tests. */
  private static final Path JAR = Path.of("../control-plane/target/sextant.jar");

  @TempDir Path dir;

  @Test
  void controlPlaneJvm_isG1_unlessAnOptionPicksAnotherCollector() {
    assertThat(ScenarioCommand.controlPlaneJvmOptions("512m", List.of()))
        .containsExactly("-Xmx512m", "-Xms512m", "-XX:+UseG1GC");
    // The option's own help suggests -XX:+UseParallelGC; with G1 added too the JVM would not start.
    assertThat(
            ScenarioCommand.controlPlaneJvmOptions(
                "1g", List.of("-XX:+UseParallelGC", "-XX:+AlwaysPreTouch")))
        .containsExactly("-Xmx1g", "-Xms1g", "-XX:+UseParallelGC", "-XX:+AlwaysPreTouch");
    assertThat(ScenarioCommand.controlPlaneJvmOptions("512m", List.of("-XX:TieredStopAtLevel=1")))
        .containsExactly("-Xmx512m", "-Xms512m", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1");
  }

  @Test
  void withWarmUp_theLoadGeneratorFirstConvergesOnAThrowawayControlPlane_thenMeasuresAFreshOne()
      throws Exception {
    assumeTrue(
        Files.isRegularFile(JAR),
        "needs the packaged control plane (" + JAR + "): run mvn verify from the root");
    Path json = dir.resolve("smoke.json");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      exit =
          new CommandLine(new BenchCommand())
              .execute(
                  "scenario",
                  "smoke",
                  "--warm-up",
                  "--jar",
                  JAR.toString(),
                  "--churn-seconds",
                  "2",
                  "--json",
                  json.toString());
    } finally {
      System.setOut(stdout);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    System.out.print(out);

    assertThat(exit).isZero();
    assertThat(out)
        .containsSubsequence(
            "warm-up: 20 proxies connected to a throwaway control plane",
            "cold start: every proxy ACKed every type");
    Path files = Path.of(out.replaceAll("(?s).*files in (\\S+)\\R.*", "$1"));
    assertThat(files.resolve("warm-up-control-plane.log")).isRegularFile();
    assertThat(files.resolve("control-plane.log")).isRegularFile();
    JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertThat(report.get("proxies").getAsInt()).isEqualTo(20);
    assertThat(report.get("command").getAsString()).contains("--warm-up");
  }
}
