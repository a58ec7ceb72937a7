package io.sextant.server.cli;

import io.sextant.config.ConfigError;
import io.sextant.server.SextantServer;
import io.sextant.server.config.ConfigFile;
import io.sextant.server.config.SextantConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sextant serve}: runs the control plane until SIGTERM or SIGINT. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Serve xDS (ADS, state-of-the-world and delta) from the configured registries and rules.")
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "sextant.yaml (see docs/configuration.md).")
  Path config;

  @Option(
      names = "--xds-port",
      paramLabel = "N",
      description = "Overrides xds.port; 0 picks a free port (logged).")
  Integer xdsPort;

  @Option(
      names = "--admin-port",
      paramLabel = "N",
      description = "Overrides admin.port; 0 picks a free port (logged).")
  Integer adminPort;

  @Override
  public Integer call() throws Exception {
    ConfigFile.Result result = ConfigFile.load(config);
    if (result.config().isEmpty()) {
      for (ConfigError e : result.errors()) {
        System.err.println(e);
      }
      System.err.println("sextant: " + config + " is not valid; nothing was started");
      return 2;
    }
    SextantConfig c = result.config().get();
    if (xdsPort != null) {
      c = c.withXdsPort(xdsPort);
    }
    if (adminPort != null) {
      c = c.withAdminPort(adminPort);
    }
    SextantServer server = SextantServer.start(c);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "sextant-shutdown"));
    stopped.await();
    return 0;
  }
}
