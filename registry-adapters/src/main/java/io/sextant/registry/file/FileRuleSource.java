package io.sextant.registry.file;

import io.sextant.config.ConfigResource;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.VirtualService;
import io.sextant.registry.RuleListener;
import io.sextant.registry.RuleSet;
import io.sextant.registry.RuleSource;
import io.sextant.registry.SourceStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Routing rules ({@code VirtualService}, {@code DestinationRule}) read from watched files and
 * directories. A file that fails to load keeps its previous rules and is reported in {@link
 * #status()}.
 */
public final class FileRuleSource implements RuleSource {
  private final String name;
  private final ConfigFileWatcher watcher;
  private final IgnoredResources ignored;

  // Guarded by this.
  private RuleListener listener;
  private RuleSet rules = RuleSet.EMPTY;
  private volatile boolean synced;

  /**
   * @param name the source's configured name
   * @param paths rule files, and directories read recursively for {@code *.yaml}
   * @param rescanInterval how often every file is re-read even without a change event
   */
  public FileRuleSource(String name, List<Path> paths, Duration rescanInterval) {
    this.name = Objects.requireNonNull(name, "name");
    this.watcher = new ConfigFileWatcher(name, paths, rescanInterval, this::apply);
    this.ignored =
        new IgnoredResources(
            name,
            "rule sources read VirtualService and DestinationRule only;"
                + " list this path under a file registry");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start(RuleListener listener) {
    synchronized (this) {
      this.listener = Objects.requireNonNull(listener, "listener");
    }
    watcher.start();
  }

  private synchronized void apply(List<ConfigResource> resources) {
    List<VirtualService> virtualServices = new ArrayList<>();
    List<DestinationRule> destinationRules = new ArrayList<>();
    for (ConfigResource resource : resources) {
      if (resource instanceof VirtualService vs) {
        virtualServices.add(vs);
      } else if (resource instanceof DestinationRule dr) {
        destinationRules.add(dr);
      } else {
        ignored.ignore(resource);
      }
    }
    RuleSet next = new RuleSet(virtualServices, destinationRules);
    // A change to an ignored resource leaves the rules as they were.
    if (synced && next.equals(rules)) {
      return;
    }
    rules = next;
    listener.onRules(name, next);
    synced = true;
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public synchronized RuleSet rules() {
    return rules;
  }

  /** Rejected files and missing paths. */
  @Override
  public SourceStatus status() {
    return new SourceStatus(name, "file", synced, false, watcher.errors());
  }

  @Override
  public void close() {
    watcher.close();
  }
}
