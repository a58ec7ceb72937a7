package io.sextant.server.push;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSettings;
import io.sextant.model.MeshSnapshot;
import io.sextant.model.Resolution;
import io.sextant.registry.RegistryListener;
import io.sextant.registry.RuleListener;
import io.sextant.registry.RuleSet;
import io.sextant.registry.ServiceEvent;
import io.sextant.server.admin.Metrics;
import io.sextant.server.config.SextantConfig;
import io.sextant.server.xds.GroupSnapshot;
import io.sextant.server.xds.ProxyGroups;
import io.sextant.server.xds.XdsCache;
import io.sextant.server.xds.XdsType;
import io.sextant.translator.Diagnostic;
import io.sextant.translator.ProxyContext;
import io.sextant.translator.ProxyKind;
import io.sextant.translator.SnapshotConsistency;
import io.sextant.translator.Translation;
import io.sextant.translator.Translator;
import io.sextant.translator.Versions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns change events into published snapshots, on one thread of its own.
 *
 * <p>Changes are debounced: a push happens once nothing has changed for the quiet period, or at the
 * latest the maximum delay after the first pending change. Pending changes merge; an endpoint-only
 * change (no service, port or rule changed, no DNS service involved) recomputes only the endpoints
 * and reuses every group's listeners, routes and clusters. A proxy group seen for the first time is
 * translated at once, without waiting for the debounce.
 *
 * <p>Nothing is published until every registry and rule source has delivered its first state, so a
 * starting control plane never pushes an empty mesh over a proxy's good configuration.
 */
public final class PushScheduler
    implements RegistryListener, RuleListener, ProxyGroups, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PushScheduler.class);

  private static final ProxyContext WARM_UP =
      new ProxyContext(
          "warm-up",
          ProxyKind.SIDECAR,
          "",
          ProxyContext.DEFAULT_NAMESPACE,
          Map.of(),
          List.of(),
          ProxyContext.DEFAULT_INTERCEPTION);

  private final Supplier<List<MeshService>> services;
  private final BooleanSupplier sourcesSynced;
  private final MeshSettings settings;
  private final SextantConfig.Push tuning;
  private final XdsCache cache;
  private final Metrics metrics;
  private final Duration groupIdle;
  private final Map<String, RuleSet> rulesBySource = new ConcurrentHashMap<>();
  private final Thread thread;

  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<String, Group> groups = new HashMap<>();
  private final Set<String> newGroups = new LinkedHashSet<>();
  private boolean fullPending = true;
  private final Set<String> endpointHosts = new HashSet<>();
  private long firstChangeNanos = -1;
  private long lastChangeNanos = -1;
  private boolean closed;

  // Written by the push thread only.
  private volatile boolean ready;
  private volatile MeshSnapshot mesh = MeshSnapshot.empty();
  private volatile List<Diagnostic> diagnostics = List.of();

  /** The proxies that share one configuration, and what they were last sent. */
  private static final class Group {
    final String key;
    final ProxyContext proxy;

    /** Open streams of the group's proxies: stream id to proxy id. */
    final Map<Long, String> streams = new LinkedHashMap<>();

    /** When the last stream closed; -1 while any is open. */
    long idleSinceNanos = -1;

    volatile GroupSnapshot current;
    List<Diagnostic> diagnostics = List.of();

    Group(String key, ProxyContext proxy) {
      this.key = key;
      this.proxy = proxy;
    }

    List<String> proxyIds() {
      return streams.values().stream().distinct().toList();
    }
  }

  /** How long a group whose proxies all left is kept current, for proxies that reconnect. */
  static final Duration DEFAULT_GROUP_IDLE = Duration.ofSeconds(60);

  private static final long HOUSEKEEPING_MILLIS = 1_000;

  public PushScheduler(
      Supplier<List<MeshService>> services,
      BooleanSupplier sourcesSynced,
      MeshSettings settings,
      SextantConfig.Push tuning,
      XdsCache cache,
      Metrics metrics) {
    this(services, sourcesSynced, settings, tuning, cache, metrics, DEFAULT_GROUP_IDLE);
  }

  /**
   * @param groupIdle how long a group keeps being updated after its last proxy left, so that a
   *     reconnecting proxy finds current configuration waiting; then it is dropped
   */
  public PushScheduler(
      Supplier<List<MeshService>> services,
      BooleanSupplier sourcesSynced,
      MeshSettings settings,
      SextantConfig.Push tuning,
      XdsCache cache,
      Metrics metrics,
      Duration groupIdle) {
    this.services = services;
    this.sourcesSynced = sourcesSynced;
    this.settings = settings;
    this.tuning = tuning;
    this.cache = cache;
    this.metrics = metrics;
    this.groupIdle = groupIdle;
    this.thread = new Thread(this::run, "sextant-push");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public boolean isReady() {
    return ready;
  }

  public MeshSnapshot mesh() {
    return mesh;
  }

  /** What the last translations could not apply as written, across all groups. */
  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  /** The snapshot currently served to {@code group}, if any. */
  public Optional<GroupSnapshot> snapshot(String group) {
    synchronized (lock) {
      Group g = groups.get(group);
      return g == null ? Optional.empty() : Optional.ofNullable(g.current);
    }
  }

  @Override
  public void onEvent(ServiceEvent event) {
    synchronized (lock) {
      if (event.kind() == ServiceEvent.Kind.ENDPOINTS_UPDATED) {
        endpointHosts.add(event.hostname());
      } else {
        fullPending = true;
      }
      changed();
    }
  }

  @Override
  public void onRules(String source, RuleSet rules) {
    rulesBySource.put(source, rules);
    synchronized (lock) {
      fullPending = true;
      changed();
    }
  }

  @Override
  public void connected(long streamId, ProxyContext proxy) {
    synchronized (lock) {
      Group g = groups.computeIfAbsent(proxy.groupKey(), k -> new Group(k, proxy));
      g.streams.put(streamId, proxy.id());
      g.idleSinceNanos = -1;
      if (g.current == null) {
        newGroups.add(g.key);
        lock.notifyAll();
      }
    }
  }

  @Override
  public void disconnected(long streamId, ProxyContext proxy) {
    synchronized (lock) {
      Group g = groups.get(proxy.groupKey());
      if (g != null && g.streams.remove(streamId) != null && g.streams.isEmpty()) {
        g.idleSinceNanos = System.nanoTime();
      }
    }
  }

  /**
   * Drops groups idle for longer than {@code groupIdle}. Until then they keep being updated, so the
   * cache never holds an outdated snapshot for a group: a group is only dropped once the cache has
   * let go of it too.
   */
  private void dropIdleGroups(long now) {
    groups
        .values()
        .removeIf(
            g ->
                g.idleSinceNanos >= 0
                    && now - g.idleSinceNanos >= groupIdle.toNanos()
                    && cache.forget(g.key));
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void changed() {
    long now = System.nanoTime();
    if (firstChangeNanos < 0) {
      firstChangeNanos = now;
    }
    lastChangeNanos = now;
    lock.notifyAll();
  }

  /** One unit of work taken from the pending state. */
  private record Work(
      boolean full, Set<String> endpointHosts, List<String> newGroups, boolean push) {}

  private void run() {
    while (true) {
      Work work;
      try {
        work = next();
      } catch (InterruptedException e) {
        return;
      }
      if (work == null) {
        return;
      }
      try {
        if (work.push()) {
          push(work.full(), work.endpointHosts());
        }
        for (String key : work.newGroups()) {
          translateNewGroup(key);
        }
      } catch (RuntimeException e) {
        // A bug in translation must not stop future pushes; the previous snapshots stay.
        LOG.error("push failed; proxies keep their previous configuration", e);
      }
    }
  }

  private Work next() throws InterruptedException {
    synchronized (lock) {
      while (true) {
        if (closed) {
          return null;
        }
        dropIdleGroups(System.nanoTime());
        if (!ready) {
          if (sourcesSynced.getAsBoolean()) {
            return take(true);
          }
          lock.wait(50);
          continue;
        }
        boolean pending = fullPending || !endpointHosts.isEmpty();
        long now = System.nanoTime();
        if (pending) {
          long due =
              Math.min(
                  lastChangeNanos + tuning.quietPeriod().toNanos(),
                  firstChangeNanos + tuning.maxDelay().toNanos());
          if (now >= due) {
            return take(true);
          }
          if (!newGroups.isEmpty()) {
            return take(false);
          }
          long waitNanos = due - now;
          lock.wait(Math.max(1, waitNanos / 1_000_000), (int) (waitNanos % 1_000_000));
        } else if (!newGroups.isEmpty()) {
          return take(false);
        } else {
          lock.wait(HOUSEKEEPING_MILLIS);
        }
      }
    }
  }

  private Work take(boolean push) {
    Work w = new Work(fullPending, Set.copyOf(endpointHosts), List.copyOf(newGroups), push);
    newGroups.clear();
    if (push) {
      fullPending = false;
      endpointHosts.clear();
      firstChangeNanos = -1;
      lastChangeNanos = -1;
    }
    return w;
  }

  private void push(boolean full, Set<String> changedHosts) {
    RuleSet rules = RuleSet.union(rulesBySource.values());
    MeshSnapshot next =
        MeshSnapshot.of(
            mesh.generation() + 1,
            services.get(),
            rules.virtualServices(),
            rules.destinationRules(),
            settings);
    if (!ready) {
      // Load the translator's classes now, not when the first proxy is waiting for them.
      Translator.translate(next, WARM_UP);
    }
    long start = System.nanoTime();
    boolean endpointOnly = ready && !full && onlyStaticServices(next, changedHosts);
    // Endpoints are the same for every proxy: computed once per push, shared by all groups.
    List<ClusterLoadAssignment> endpoints = Translator.endpoints(next);
    Function<Message, String> versions = memoizedVersions();
    if (!ready) {
      ready = true;
      LOG.info("all registries and rule sources synced; serving configuration");
    }
    mesh = next;
    int published = 0;
    for (Group g : activeGroups()) {
      Translation t =
          endpointOnly && g.current != null
              ? new Translation(g.current.xdsResources().withEndpoints(endpoints), g.diagnostics)
              : Translator.translate(next, g.proxy, endpoints);
      if (publish(g, t, versions)) {
        published++;
      }
    }
    long micros = (System.nanoTime() - start) / 1_000;
    // Set once every group has its new snapshot: the generation proxies are being served.
    metrics.meshGeneration.set(next.generation());
    metrics.lastPushMicros.set(micros);
    LOG.info(
        "mesh generation {}: {} services, {}{} groups updated in {} ms",
        next.generation(),
        next.services().size(),
        endpointOnly ? "endpoints only (" + String.join(", ", changedHosts) + "), " : "",
        published,
        micros / 1000.0);
    collectDiagnostics();
  }

  private void translateNewGroup(String key) {
    Group g;
    synchronized (lock) {
      g = groups.get(key);
    }
    if (g != null && g.current == null && ready) {
      publish(g, Translator.translate(mesh, g.proxy), memoizedVersions());
      collectDiagnostics();
    }
  }

  /**
   * Checks and publishes one group's resources. Returns whether anything was sent: a snapshot whose
   * every type has the same version as before is not pushed at all.
   */
  private boolean publish(Group g, Translation t, Function<Message, String> versions) {
    List<String> violations = SnapshotConsistency.check(t.resources());
    if (!violations.isEmpty()) {
      metrics.inconsistentSnapshots.incrementAndGet();
      LOG.error(
          "BUG: inconsistent snapshot for group {} withheld; proxies keep the previous one: {}",
          g.key,
          violations);
      return false;
    }
    GroupSnapshot next = new GroupSnapshot(t.resources(), versions);
    GroupSnapshot previous = g.current;
    List<XdsType> changed = new ArrayList<>();
    for (Map.Entry<XdsType, String> e : next.versions().entrySet()) {
      if (previous == null || !e.getValue().equals(previous.versions().get(e.getKey()))) {
        changed.add(e.getKey());
      }
    }
    g.diagnostics = t.diagnostics();
    if (changed.isEmpty()) {
      return false;
    }
    g.current = next;
    cache.publish(g.key, next);
    metrics.pushes.incrementAndGet();
    List<String> ids;
    synchronized (lock) {
      ids = g.proxyIds();
    }
    Map<XdsType, String> v = next.versions();
    for (String id : ids) {
      LOG.info(
          "push: proxy={} changed={} LDS={} RDS={} CDS={} EDS={}",
          id,
          changed,
          v.get(XdsType.LDS),
          v.get(XdsType.RDS),
          v.get(XdsType.CDS),
          v.get(XdsType.EDS));
    }
    return true;
  }

  private List<Group> activeGroups() {
    synchronized (lock) {
      return new ArrayList<>(groups.values());
    }
  }

  private static boolean onlyStaticServices(MeshSnapshot mesh, Set<String> hosts) {
    for (String host : hosts) {
      Optional<MeshService> s = mesh.service(host);
      if (s.isEmpty() || s.get().service().resolution() != Resolution.STATIC) {
        return false;
      }
    }
    return true;
  }

  /** Hashes each resource once per push, however many groups share it. */
  private static Function<Message, String> memoizedVersions() {
    Map<Message, String> seen = new IdentityHashMap<>();
    return m -> seen.computeIfAbsent(m, Versions::of);
  }

  private void collectDiagnostics() {
    Set<Diagnostic> all = new LinkedHashSet<>();
    for (Group g : activeGroups()) {
      all.addAll(g.diagnostics);
    }
    Set<Diagnostic> before = new HashSet<>(diagnostics);
    for (Diagnostic d : all) {
      if (!before.contains(d)) {
        LOG.warn("config: {}", d);
      }
    }
    diagnostics = List.copyOf(all);
  }

  /** Group keys and the ids of their connected proxies, for the admin API. */
  public Map<String, List<String>> groups() {
    synchronized (lock) {
      return groups.values().stream()
          .collect(Collectors.toMap(g -> g.key, Group::proxyIds, (a, b) -> a, LinkedHashMap::new));
    }
  }
}
