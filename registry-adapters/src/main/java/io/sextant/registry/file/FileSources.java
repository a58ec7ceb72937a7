package io.sextant.registry.file;

import io.sextant.registry.RuleResourceSource;
import io.sextant.registry.ServiceEntryRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Registries and rule sources read from watched files and directories. */
public final class FileSources {
  private FileSources() {}

  /**
   * A registry of the ServiceEntry resources in {@code paths}.
   *
   * @param paths files, and directories read recursively for {@code *.yaml}
   * @param rescanInterval how often every file is re-read even without a change event
   */
  public static ServiceEntryRegistry registry(
      String name, List<Path> paths, Duration rescanInterval) {
    return new ServiceEntryRegistry(
        name, "file", sink -> new ConfigFileWatcher(name, paths, rescanInterval, sink));
  }

  /** The VirtualService, DestinationRule, Sidecar and RateLimit resources in {@code paths}. */
  public static RuleResourceSource rules(String name, List<Path> paths, Duration rescanInterval) {
    return new RuleResourceSource(
        name, "file", sink -> new ConfigFileWatcher(name, paths, rescanInterval, sink));
  }
}
