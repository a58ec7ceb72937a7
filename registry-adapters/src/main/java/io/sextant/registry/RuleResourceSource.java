package io.sextant.registry;

import io.sextant.config.ConfigResource;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Routing rules ({@code VirtualService}, {@code DestinationRule}, {@code Sidecar}, {@code
 * RateLimit}) from files or from Kubernetes custom resources. A resource that fails to load keeps
 * its previous rules where it can and is reported in {@link #status()}.
 */
public final class RuleResourceSource implements RuleSource {
  private final String name;
  private final String type;
  private final ResourceFeed feed;
  private final IgnoredResources ignored;

  // Guarded by this.
  private RuleListener listener;
  private RuleSet rules = RuleSet.EMPTY;
  private volatile boolean synced;

  /**
   * @param name the source's configured name
   * @param type the source type shown in status, such as {@code file}
   * @param feed where the rules come from
   */
  public RuleResourceSource(String name, String type, ResourceFeed.Factory feed) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.feed = feed.create(this::apply);
    this.ignored =
        new IgnoredResources(
            name,
            "rule sources read VirtualService, DestinationRule, Sidecar and RateLimit only;"
                + " list this path under a registry");
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
    feed.start();
  }

  private synchronized void apply(List<ConfigResource> resources) {
    List<VirtualService> virtualServices = new ArrayList<>();
    List<DestinationRule> destinationRules = new ArrayList<>();
    List<RateLimit> rateLimits = new ArrayList<>();
    List<Sidecar> sidecars = new ArrayList<>();
    for (ConfigResource resource : resources) {
      if (resource instanceof VirtualService vs) {
        virtualServices.add(vs);
      } else if (resource instanceof DestinationRule dr) {
        destinationRules.add(dr);
      } else if (resource instanceof RateLimit rl) {
        rateLimits.add(rl);
      } else if (resource instanceof Sidecar sc) {
        sidecars.add(sc);
      } else {
        ignored.ignore(resource);
      }
    }
    RuleSet next = new RuleSet(virtualServices, destinationRules, rateLimits, sidecars);
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

  /** Rejected resources, missing paths and connection problems. */
  @Override
  public SourceStatus status() {
    return new SourceStatus(
        name, type, synced, feed.stale(), feed.errors(), feed.lastSync(), feed.rejections());
  }

  @Override
  public void close() {
    feed.close();
  }
}
