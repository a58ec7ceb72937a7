package io.sextant.bench;

import io.sextant.bench.loadgen.LoadGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sextant-loadgen}: the load generator and the standard scenarios. */
@Command(
    name = "sextant-loadgen",
    mixinStandardHelpOptions = true,
    description = "Load-test an xDS control plane with simulated Envoy sidecars.",
    subcommands = {
      ScenarioCommand.class,
      KubernetesSyncCommand.class,
      LoadCommand.class,
      TableCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    LoadGenerator.cacheLargeBuffers();
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }
}
