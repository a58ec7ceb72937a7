package io.sextant.registry;

import io.sextant.config.ConfigError;
import io.sextant.config.ConfigResource;
import io.sextant.config.networking.ServiceEntries;
import io.sextant.config.networking.ServiceEntry;
import io.sextant.model.MeshService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry of Istio {@code ServiceEntry} resources, from files or from Kubernetes custom
 * resources: each host of each entry is one service, whose endpoints are the entry's. A resource
 * that fails to load keeps its previous services and is reported in {@link #status()}.
 *
 * <p>A hostname defined by two entries keeps the first definition, in the feed's order (file path
 * and position in the file; namespace and name for custom resources); the second is reported as an
 * error at its location.
 */
public final class ServiceEntryRegistry implements ServiceRegistry {
  private static final Logger log = LoggerFactory.getLogger(ServiceEntryRegistry.class);

  private final String name;
  private final String type;
  private final ResourceFeed feed;
  private final IgnoredResources ignored;

  // Guarded by this.
  private RegistryListener listener;
  private Map<String, MeshService> services = Map.of();

  /** Services by the entry they came from: an entry loaded unchanged is not converted again. */
  private Map<ServiceEntry, List<MeshService>> converted = new IdentityHashMap<>();

  private List<ConfigError> conflicts = List.of();

  /** The resources applied last, to see what a new list changes; null before the first. */
  private List<ConfigResource> last;

  private volatile boolean synced;

  /**
   * @param name the registry's configured name, recorded as the origin of its endpoints
   * @param type the source type shown in status, such as {@code file}
   * @param feed where the ServiceEntry resources come from
   */
  public ServiceEntryRegistry(String name, String type, ResourceFeed.Factory feed) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.feed = feed.create(this::apply);
    this.ignored =
        new IgnoredResources(name, "registries read ServiceEntry only; list this path under rules");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start(RegistryListener listener) {
    synchronized (this) {
      this.listener = Objects.requireNonNull(listener, "listener");
    }
    feed.start();
  }

  private synchronized void apply(List<ConfigResource> resources) {
    if (!patch(resources)) {
      rebuild(resources);
    }
    // The feeds hand over immutable lists, which this keeps as they are; a list changed later by
    // its sender would make the next patch compare against entries that were never applied.
    last = List.copyOf(resources);
    synced = true;
  }

  /**
   * Applies {@code resources} in place if they differ from the last list only by entries that
   * replace others at the same position and define the same hostnames, while no hostname is defined
   * twice: then every service keeps its place and its definition, and only the replaced entries'
   * services can change. A file changed among thousands then costs its own entries rather than a
   * rebuild of every service. Returns false, having changed nothing, for any other difference.
   */
  private boolean patch(List<ConfigResource> resources) {
    if (last == null || !conflicts.isEmpty() || last.size() != resources.size()) {
      return false;
    }
    List<ServiceEntry> replaced = new ArrayList<>();
    List<List<MeshService>> replacements = new ArrayList<>();
    for (int i = 0; i < resources.size(); i++) {
      ConfigResource now = resources.get(i);
      ConfigResource was = last.get(i);
      if (now == was) {
        continue;
      }
      if (!(now instanceof ServiceEntry entry) || !(was instanceof ServiceEntry old)) {
        return false;
      }
      List<MeshService> before = converted.get(old);
      // Kept in the cache even if this is not a patch: the rebuild then finds it converted.
      List<MeshService> after =
          converted.computeIfAbsent(entry, e -> ServiceEntries.toServices(e, name));
      if (before == null || !sameHostnames(before, after)) {
        return false;
      }
      replaced.add(old);
      replacements.add(after);
    }
    List<ServiceEvent> events = new ArrayList<>();
    for (int k = 0; k < replaced.size(); k++) {
      converted.remove(replaced.get(k));
      for (MeshService service : replacements.get(k)) {
        MeshService before = services.put(service.hostname(), service);
        ServiceDiff.change(service.hostname(), before, service, name).ifPresent(events::add);
      }
    }
    events.forEach(listener::onEvent);
    return true;
  }

  private static boolean sameHostnames(List<MeshService> a, List<MeshService> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).hostname().equals(b.get(i).hostname())) {
        return false;
      }
    }
    return true;
  }

  private void rebuild(List<ConfigResource> resources) {
    Map<String, MeshService> next = new LinkedHashMap<>();
    Map<String, ServiceEntry> definedBy = new HashMap<>();
    List<ConfigError> nextConflicts = new ArrayList<>();
    Map<ServiceEntry, List<MeshService>> nextConverted = new IdentityHashMap<>();
    for (ConfigResource resource : resources) {
      if (!(resource instanceof ServiceEntry entry)) {
        ignored.ignore(resource);
        continue;
      }
      List<MeshService> defined = converted.get(entry);
      if (defined == null) {
        defined = ServiceEntries.toServices(entry, name);
      }
      nextConverted.put(entry, defined);
      for (int i = 0; i < defined.size(); i++) {
        MeshService service = defined.get(i);
        ServiceEntry first = definedBy.putIfAbsent(service.hostname(), entry);
        if (first == null) {
          next.put(service.hostname(), service);
        } else {
          nextConflicts.add(conflict(entry, i, first));
        }
      }
    }
    for (ConfigError conflict : nextConflicts) {
      if (!conflicts.contains(conflict)) {
        log.warn("{}: {}", name, conflict);
      }
    }
    conflicts = List.copyOf(nextConflicts);
    ServiceDiff.between(services, next, name).forEach(listener::onEvent);
    services = next;
    converted = nextConverted;
  }

  private static ConfigError conflict(ServiceEntry entry, int hostIndex, ServiceEntry first) {
    return new ConfigError(
        entry.meta().location(),
        "spec.hosts[" + hostIndex + "]",
        "host "
            + entry.hosts().get(hostIndex)
            + " is already defined by "
            + first.meta().qualifiedName()
            + " at "
            + first.meta().location()
            + "; ignored");
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public synchronized List<MeshService> services() {
    return List.copyOf(services.values());
  }

  /** Rejected resources, missing paths, hosts defined twice and connection problems. */
  @Override
  public SourceStatus status() {
    List<ConfigError> errors = new ArrayList<>(feed.errors());
    synchronized (this) {
      errors.addAll(conflicts);
    }
    return new SourceStatus(
        name, type, synced, feed.stale(), errors, feed.lastSync(), feed.rejections());
  }

  @Override
  public void close() {
    feed.close();
  }
}
