package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/sextant} runs the control plane with the parallel collector, which took a quarter off
 * its CPU under endpoint churn (docs/performance.md, "The parallel collector"), unless {@code
 * SEXTANT_JAVA_OPTS} picks a collector itself: the JVM refuses to start with two. The JVM's own GC
 * log ({@code -Xlog:gc}) says which collector it uses. Runs the packaged jar, so it lives here.
 */
class LauncherCollectorTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path LAUNCHER = ROOT.resolve("bin/sextant");
  private static final Path JAR = ROOT.resolve("control-plane/target/sextant.jar");

  @Test
  void byDefault_theControlPlaneUsesTheParallelCollector() throws Exception {
    List<String> out = launch("-Xlog:gc");

    assertThat(out).anyMatch(l -> l.endsWith("Using Parallel"));
  }

  @Test
  void aCollectorInSextantJavaOpts_replacesTheDefault() throws Exception {
    List<String> out = launch("-XX:+UseG1GC -Xlog:gc");

    assertThat(out).anyMatch(l -> l.endsWith("Using G1")).noneMatch(l -> l.contains("Parallel"));
  }

  @Test
  void anOptionThatOnlyMentionsGc_keepsTheDefault() throws Exception {
    List<String> out = launch("-XX:+DisableExplicitGC -Xlog:gc");

    assertThat(out).anyMatch(l -> l.endsWith("Using Parallel"));
  }

  /** Runs {@code bin/sextant --version} with these options; fails unless it exits with 0. */
  private static List<String> launch(String javaOpts) throws IOException, InterruptedException {
    if (!Files.isRegularFile(JAR)) {
      abort(JAR + " is not built; run the tests through mvn verify, which packages it first");
    }
    ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "--version");
    Path ownJava = Path.of(System.getProperty("java.home"), "bin");
    pb.environment().put("PATH", ownJava + ":" + System.getenv("PATH"));
    pb.environment().put("SEXTANT_JAVA_OPTS", javaOpts);
    pb.environment().remove("SEXTANT_AOT_CACHE");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    byte[] output = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bin/sextant --version exited").isTrue();
    List<String> lines = new String(output, StandardCharsets.UTF_8).lines().toList();
    assertThat(p.exitValue()).as("exit code; output: %s", lines).isZero();
    assertThat(lines).as("output").anyMatch(l -> l.startsWith("sextant "));
    return lines;
  }
}
