package io.sextant.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.server.testing.ServeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code sextant} command line: help, usage errors, and {@code serve} refusing bad config. */
class SextantCommandTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "--help, Usage: sextant",
    "serve --help, Usage: sextant serve",
    "bootstrap --help, Usage: sextant bootstrap",
    "help serve, Usage: sextant serve",
    "help bootstrap, Usage: sextant bootstrap",
  })
  void help_isPrintedForEveryCommandWithExitCode0(String args, String usage) {
    Cli.Outcome outcome = Cli.run(args.split(" "));

    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.out()).startsWith(usage);
    assertThat(outcome.err()).isEmpty();
  }

  @Test
  void topLevelHelp_listsTheSubcommands() {
    assertThat(Cli.run("--help").out()).contains("serve", "bootstrap");
  }

  @Test
  void version_isPrinted() {
    Cli.Outcome outcome = Cli.run("--version");

    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.out()).startsWith("sextant ");
  }

  @Test
  void noSubcommand_exitsWith2() {
    Cli.Outcome outcome = Cli.run();

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("a subcommand is required");
  }

  @Test
  void unknownSubcommand_exitsWith2() {
    Cli.Outcome outcome = Cli.run("sail");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("sail");
  }

  @Test
  void serveWithAnInvalidConfig_exitsWith2PrintingEveryLocatedError() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("sextant.yaml"),
            """
            xds: {port: 99999}
            registries: [{type: eureka, paths: [services]}]
            """);

    Cli.Outcome outcome = Cli.run("serve", "--config", config.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err())
        .contains(config + ":1:13: xds.port: expected an integer from 0 to 65535, got 99999")
        .contains(config + ":2:21: registries[0].type: unknown type 'eureka'")
        .contains("nothing was started");
    assertThat(outcome.out()).isEmpty();
  }

  @Test
  void serve_stopsCleanlyOnSigterm() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("sextant.yaml"),
            "xds: {address: 127.0.0.1}\nadmin: {address: 127.0.0.1}\n");
    ServeProcess serve = ServeProcess.start(config);

    serve.close();

    assertThat(serve.exitValue()).as("exit code after SIGTERM").isEqualTo(143);
    assertThat(serve.log()).anyMatch(line -> line.contains("SextantServer: stopped"));
  }

  @Test
  void serveWithAMissingConfig_exitsWith2() {
    Path config = dir.resolve("missing.yaml");

    Cli.Outcome outcome = Cli.run("serve", "--config", config.toString());

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains(config + ":1:1: cannot read file");
  }

  @Test
  void serveWithoutConfig_exitsWith2NamingTheOption() {
    Cli.Outcome outcome = Cli.run("serve");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("--config");
  }
}
