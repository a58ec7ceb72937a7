package io.sextant.server.push;

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
import io.sextant.server.xds.ResourceSet;
import io.sextant.server.xds.XdsStreams;
import io.sextant.server.xds.XdsType;
import io.sextant.translator.Diagnostic;
import io.sextant.translator.Layer;
import io.sextant.translator.MeshTranslation;
import io.sextant.translator.ProxyContext;
import io.sextant.translator.ProxyKind;
import io.sextant.translator.ProxyLayers;
import io.sextant.translator.SnapshotConsistency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns change events into published snapshots, on one thread of its own.
 *
 * <p>Changes are debounced: a push happens once nothing has changed for the quiet period, or at the
 * latest the maximum delay after the first pending change. Pending changes merge. A push translates
 * the mesh once ({@link MeshTranslation}): every layer shared by many proxy groups is built,
 * serialized and hashed once, and each group's snapshot is made of those shared sets plus its own
 * inbound ones. An endpoint-only change (no service, port or rule changed, no DNS service involved)
 * recomputes only the changed hosts' assignments. A proxy group seen for the first time is served
 * at once, without waiting for the debounce.
 *
 * <p>Nothing is published until every registry and rule source has delivered its first state, so a
 * starting control plane never pushes an empty mesh over a proxy's good configuration.
 */
public final class PushScheduler
    implements RegistryListener, RuleListener, ProxyGroups, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PushScheduler.class);

  /** How long a group whose proxies all left is kept current, for proxies that reconnect. */
  static final Duration DEFAULT_GROUP_IDLE = Duration.ofSeconds(60);

  private static final long HOUSEKEEPING_MILLIS = 1_000;

  /** A proxy whose layers every sidecar shares, translated first to warm the JVM up. */
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
  private final XdsStreams streams;
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

  // Push thread only.
  private MeshTranslation translation;

  /** Checks snapshots built from {@link #translation}; remembers what it checked until the next. */
  private SnapshotConsistency.Checker checker = new SnapshotConsistency.Checker();

  private final Map<String, LayerSet> sets = new HashMap<>();
  private final Set<String> setsUsed = new HashSet<>();

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

    /**
     * The layers {@link #current} was built from, or null when it was not built from layers alone
     * (an endpoint swap): while a push hands the group these very layers, nothing changed for it.
     */
    ProxyLayers publishedFrom;

    Group(String key, ProxyContext proxy) {
      this.key = key;
      this.proxy = proxy;
    }

    List<String> proxyIds() {
      return streams.values().stream().distinct().toList();
    }

    /**
     * How many proxies have a stream open: counted at every push for every group, so without
     * building {@link #proxyIds}. A proxy has two streams only while it reconnects.
     */
    int proxyCount() {
      if (streams.size() > 8) {
        return (int) streams.values().stream().distinct().count();
      }
      String[] seen = new String[streams.size()];
      int n = 0;
      next:
      for (String id : streams.values()) {
        for (int k = 0; k < n; k++) {
          if (seen[k].equals(id)) {
            continue next;
          }
        }
        seen[n++] = id;
      }
      return n;
    }
  }

  /** A layer and the wire form built from it. */
  private record LayerSet(Layer layer, ResourceSet set) {}

  public PushScheduler(
      Supplier<List<MeshService>> services,
      BooleanSupplier sourcesSynced,
      MeshSettings settings,
      SextantConfig.Push tuning,
      XdsStreams streams,
      Metrics metrics) {
    this(services, sourcesSynced, settings, tuning, streams, metrics, DEFAULT_GROUP_IDLE);
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
      XdsStreams streams,
      Metrics metrics,
      Duration groupIdle) {
    this.services = services;
    this.sourcesSynced = sourcesSynced;
    this.settings = settings;
    this.tuning = tuning;
    this.streams = streams;
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

  /** What the last translation could not apply as written. */
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

  /** Group keys and the ids of their connected proxies, for the admin API. */
  public Map<String, List<String>> groups() {
    synchronized (lock) {
      return groups.values().stream()
          .collect(Collectors.toMap(g -> g.key, Group::proxyIds, (a, b) -> a, LinkedHashMap::new));
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

  /**
   * Drops groups idle for longer than {@code groupIdle}. Until then they keep being updated, so a
   * group is never served an outdated snapshot: it is only dropped once its streams are gone.
   */
  private void dropIdleGroups(long now) {
    groups
        .values()
        .removeIf(
            g ->
                g.idleSinceNanos >= 0
                    && now - g.idleSinceNanos >= groupIdle.toNanos()
                    && streams.forget(g.key));
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
      } catch (OutOfMemoryError e) {
        // Most likely direct memory, full of responses proxies have not read yet; it frees up as
        // they read. Let this thread die and no proxy would ever be updated again.
        LOG.error(
            "push failed, out of memory; proxies keep their previous configuration and the next"
                + " change pushes again. If it is direct buffer memory, lower push.maxInFlightMiB"
                + " or raise -XX:MaxDirectMemorySize",
            e);
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
          // Endpoint-only pushes send just the changed ClusterLoadAssignments: they wait less.
          Duration quiet = fullPending ? tuning.quietPeriod() : tuning.endpointQuietPeriod();
          long due =
              Math.min(
                  lastChangeNanos + quiet.toNanos(),
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
            settings,
            rules.rateLimits(),
            rules.sidecars());
    long start = System.nanoTime();
    boolean endpointOnly =
        ready && translation != null && !full && onlyStaticServices(next, changedHosts);
    if (endpointOnly) {
      translation = MeshTranslation.endpointsChanged(translation, next, changedHosts);
    } else {
      translation =
          translation == null ? MeshTranslation.of(next) : MeshTranslation.after(translation, next);
    }
    if (!ready) {
      // Build the layers every sidecar shares now, not when the first proxy is waiting.
      translation.forProxy(WARM_UP);
      ready = true;
      LOG.info("all registries and rule sources synced; serving configuration");
    }
    mesh = next;
    setsUsed.clear();
    checker = checker.next();
    EndpointSwap swap = endpointOnly ? endpointSwap() : null;
    int published = 0;
    int proxies = 0;
    for (Group g : activeGroups()) {
      int reached =
          swap != null && swap.applies(g) ? publishEndpoints(g, swap) : publish(g, checker);
      if (reached >= 0) {
        published++;
        proxies += reached;
      }
    }
    if (swap == null) {
      sets.keySet().retainAll(setsUsed); // a swap leaves the other layers' sets untouched
      translation.retainLayers(setsUsed);
    }
    long micros = (System.nanoTime() - start) / 1_000;
    // Set once every group has its new snapshot: the generation proxies are being served.
    metrics.meshGeneration.set(next.generation());
    metrics.lastPushMicros.set(micros);
    LOG.info(
        "mesh generation {}: {} services, {}{} groups ({} proxies) updated in {} ms",
        next.generation(),
        next.services().size(),
        endpointOnly ? "endpoints of " + String.join(", ", changedHosts) + " only, " : "",
        published,
        proxies,
        micros / 1000.0);
    collectDiagnostics();
  }

  private void translateNewGroup(String key) {
    Group g;
    synchronized (lock) {
      g = groups.get(key);
    }
    if (g != null && g.current == null && ready) {
      publish(g, checker); // groups joining later share what the push checked
      collectDiagnostics();
    }
  }

  /**
   * Checks and publishes one group's snapshot. Returns how many proxies it went to, or -1 if
   * nothing was published: a snapshot whose every type has the same version as before is not pushed
   * at all.
   */
  private int publish(Group g, SnapshotConsistency.Checker checker) {
    ProxyLayers layers = translation.forProxy(g.proxy);
    if (g.current != null && layers.equals(g.publishedFrom)) {
      // The same layer objects as last time (layers compare by identity): already checked and
      // published. Only their sets must be kept.
      layers.byType().forEach(type -> type.forEach(l -> setsUsed.add(l.key())));
      return -1;
    }
    List<String> violations = checker.check(layers);
    if (!violations.isEmpty()) {
      metrics.inconsistentSnapshots.incrementAndGet();
      LOG.error(
          "BUG: inconsistent snapshot for group {} withheld; proxies keep the previous one: {}",
          g.key,
          violations);
      return -1;
    }
    Map<XdsType, List<ResourceSet>> parts = new EnumMap<>(XdsType.class);
    parts.put(XdsType.LDS, sets(layers.listeners()));
    parts.put(XdsType.RDS, sets(layers.routes()));
    parts.put(XdsType.CDS, sets(layers.clusters()));
    parts.put(XdsType.EDS, sets(layers.endpoints()));
    GroupSnapshot next = new GroupSnapshot(parts);
    GroupSnapshot previous = g.current;
    List<XdsType> changed = new ArrayList<>();
    for (XdsType t : XdsType.values()) {
      if (previous == null || !next.version(t).equals(previous.version(t))) {
        changed.add(t);
      }
    }
    if (changed.isEmpty()) {
      g.publishedFrom = layers;
      return -1;
    }
    int reached = deliver(g, next);
    g.publishedFrom = layers;
    // Per proxy at DEBUG only: a rule change reaches every proxy, and thousands of lines a push
    // cost the push thread more than a twentieth of its time. The push's INFO line counts them.
    if (LOG.isDebugEnabled()) {
      for (String id : proxyIds(g)) {
        LOG.debug(
            "push: proxy={} changed={} LDS={} RDS={} CDS={} EDS={}",
            id,
            changed,
            next.version(XdsType.LDS),
            next.version(XdsType.RDS),
            next.version(XdsType.CDS),
            next.version(XdsType.EDS));
      }
    }
    return reached;
  }

  /**
   * An endpoint-only push where the shared endpoint layer kept every name: each group's snapshot is
   * its previous one with the new endpoint set in place of the old, since nothing else can have
   * changed and no cluster gained or lost its assignment (so the snapshot stays consistent).
   */
  private record EndpointSwap(List<ResourceSet> before, List<ResourceSet> after) {
    boolean applies(Group g) {
      return g.current != null && g.current.parts(XdsType.EDS).equals(before);
    }
  }

  /** The swap for this push, or null when groups must be rebuilt and checked one by one. */
  private EndpointSwap endpointSwap() {
    LayerSet old = sets.get(translation.endpoints().key());
    if (old == null) {
      return null;
    }
    List<ResourceSet> after = sets(List.of(translation.endpoints()));
    ResourceSet now = after.get(0);
    Optional<Set<String>> changed = now.changedSince(old.set());
    if (changed.isEmpty()) {
      return null;
    }
    for (String name : changed.get()) {
      if (now.get(name) == null || old.set().get(name) == null) {
        return null; // an assignment came or went: clusters changed too
      }
    }
    return new EndpointSwap(List.of(old.set()), after);
  }

  private int publishEndpoints(Group g, EndpointSwap swap) {
    GroupSnapshot previous = g.current;
    GroupSnapshot next = previous.with(XdsType.EDS, swap.after());
    if (next.version(XdsType.EDS).equals(previous.version(XdsType.EDS))) {
      return -1;
    }
    int reached = deliver(g, next);
    g.publishedFrom = null;
    if (LOG.isDebugEnabled()) {
      proxyIds(g).forEach(id -> LOG.debug("push: proxy={} EDS={}", id, next.version(XdsType.EDS)));
    }
    return reached;
  }

  /**
   * Makes {@code next} the group's snapshot and pushes it; returns how many proxies the group has.
   */
  private int deliver(Group g, GroupSnapshot next) {
    g.current = next;
    // Counted before any proxy can receive it: whoever has seen the push also sees the count.
    metrics.pushes.incrementAndGet();
    streams.publish(g.key, next);
    synchronized (lock) {
      return g.proxyCount();
    }
  }

  private List<String> proxyIds(Group g) {
    synchronized (lock) {
      return g.proxyIds();
    }
  }

  /** The wire form of each layer, built once per layer object and reused across pushes. */
  private List<ResourceSet> sets(List<Layer> layers) {
    List<ResourceSet> result = new ArrayList<>(layers.size());
    for (Layer layer : layers) {
      LayerSet known = sets.get(layer.key());
      if (known == null || known.layer() != layer) {
        known = new LayerSet(layer, ResourceSet.of(layer, known == null ? null : known.set()));
        sets.put(layer.key(), known);
      }
      setsUsed.add(layer.key());
      result.add(known.set());
    }
    return result;
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

  private void collectDiagnostics() {
    List<Diagnostic> all = translation.diagnostics();
    Set<Diagnostic> before = new HashSet<>(diagnostics);
    for (Diagnostic d : all) {
      if (!before.contains(d)) {
        LOG.warn("config: {}", d);
      }
    }
    diagnostics = List.copyOf(all);
  }
}
