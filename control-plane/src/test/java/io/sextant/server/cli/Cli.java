package io.sextant.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code sextant} in-process, as a shell would, capturing what it prints. */
final class Cli {
  /** What one command line did: its exit code and what it printed. */
  record Outcome(int exitCode, String out, String err) {}

  private Cli() {}

  static synchronized Outcome run(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = SextantCommand.run(args);
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    return new Outcome(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
