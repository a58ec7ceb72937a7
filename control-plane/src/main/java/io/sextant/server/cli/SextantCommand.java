package io.sextant.server.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sextant}: the command-line entry point. */
@Command(
    name = "sextant",
    mixinStandardHelpOptions = true,
    versionProvider = SextantCommand.Version.class,
    description = "An Envoy-compatible xDS control plane.",
    subcommands = {
      ServeCommand.class,
      BootstrapCommand.class,
      ValidateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SextantCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (0 ok, 1 failure, 2 usage). */
  public static int run(String... args) {
    return new CommandLine(new SextantCommand()).execute(args);
  }

  /**
   * Runs a command line with what it prints for its user (the bootstrap, usage) going to {@code
   * out} rather than System.out; returns its exit code.
   */
  public static int run(PrintWriter out, String... args) {
    return new CommandLine(new SextantCommand()).setOut(out).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SextantCommand.class.getPackage().getImplementationVersion();
      return new String[] {"sextant " + (v == null ? "(development build)" : v)};
    }
  }
}
