package io.sextant.server.cli;

import io.sextant.config.ConfigError;
import io.sextant.config.ConfigLoader;
import io.sextant.config.ConfigResource;
import io.sextant.config.LoadResult;
import io.sextant.config.RuleChecks;
import io.sextant.config.networking.ServiceEntry;
import io.sextant.model.MeshSettings;
import io.sextant.server.config.ConfigFile;
import io.sextant.server.config.SextantConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sextant validate}: checks rule files offline. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check rule files (VirtualService, DestinationRule, ServiceEntry, Sidecar, RateLimit)"
          + " without a control plane, and print file:line:col: error|warning: message for every"
          + " problem.",
      "Exit code: 0 when there is no error (warnings allowed), 1 when there is one, 2 for a usage"
          + " error."
    })
final class ValidateCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "PATH",
      arity = "1..*",
      description = "Rule files, or directories read recursively for *.yaml and *.yml.")
  List<Path> paths;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "A sextant.yaml: its file registries' ServiceEntries count as known hosts, and its"
              + " mesh settings (clusterDomain, rootNamespace) are used. Without it, only"
              + " ServiceEntries among PATH are known.")
  Path config;

  @Override
  public Integer call() throws IOException {
    List<String> errors = new ArrayList<>();
    List<ConfigResource> loaded = new ArrayList<>();
    for (Path file : files(paths, errors)) {
      LoadResult r = ConfigLoader.load(file);
      r.errors().forEach(e -> errors.add(asError(e)));
      loaded.addAll(r.resources());
    }
    MeshSettings mesh = MeshSettings.DEFAULT;
    Set<String> known = new HashSet<>();
    boolean knowable = true;
    if (config != null) {
      ConfigFile.Result c = ConfigFile.load(config);
      c.errors().forEach(e -> errors.add(asError(e)));
      if (c.config().isPresent()) {
        SextantConfig cfg = c.config().get();
        mesh = cfg.mesh();
        for (SextantConfig.Source s : cfg.registries()) {
          if (!s.type().equals("file")) {
            knowable = false; // its hosts are only known to a running control plane
            continue;
          }
          for (Path f : files(s.paths(), errors)) {
            for (ConfigResource r : ConfigLoader.load(f).resources()) {
              if (r instanceof ServiceEntry se) {
                known.addAll(se.hosts());
              }
            }
          }
        }
      }
    }
    List<RuleChecks.Finding> findings = RuleChecks.check(loaded, known, knowable, mesh);
    long findingErrors =
        findings.stream().filter(f -> f.severity() == RuleChecks.Severity.ERROR).count();
    errors.forEach(System.out::println);
    findings.forEach(System.out::println);
    long total = errors.size() + findingErrors;
    System.err.printf(
        "sextant validate: %d resources, %d errors, %d warnings%n",
        loaded.size(), total, findings.size() - findingErrors);
    return total > 0 ? 1 : 0;
  }

  /** {@code file:line:col: error: path: message}. */
  private static String asError(ConfigError e) {
    return e.location() + ": error: " + (e.path().isEmpty() ? "" : e.path() + ": ") + e.message();
  }

  private static List<Path> files(List<Path> paths, List<String> errors) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile)
              .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .sorted()
              .forEach(files::add);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        errors.add(p + ":1:1: error: no such file or directory");
      }
    }
    return files;
  }
}
