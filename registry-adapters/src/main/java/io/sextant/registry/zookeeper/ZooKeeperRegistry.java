package io.sextant.registry.zookeeper;

import io.sextant.config.ConfigError;
import io.sextant.config.SourceLocation;
import io.sextant.model.MeshService;
import io.sextant.registry.RegistryListener;
import io.sextant.registry.ServiceDiff;
import io.sextant.registry.ServiceEvent;
import io.sextant.registry.ServiceRegistry;
import io.sextant.registry.SourceStatus;
import io.sextant.registry.zookeeper.TreeLayout.Reading;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services registered in ZooKeeper, by Curator x-discovery or by Apache Dubbo, watched with a
 * Curator {@link CuratorCache} on the layout's base path.
 *
 * <p>Every node change recomputes the one service it belongs to, and the result is compared with
 * what was last emitted, so a change that leaves a service as it was emits nothing.
 *
 * <p>While the connection is down (suspended, or the session lost), the last known state is served;
 * after {@code staleAfter} the registry reports itself stale. When the connection is back, with the
 * same session or a new one, the cache re-reads the tree: each node that changed meanwhile is
 * reported and recomputes its service, and the registry recomputes every service from the cache
 * once more, so only real differences are emitted. Providers register ephemeral nodes with their
 * own sessions, so the expiry of the registry's session removes nothing.
 */
public final class ZooKeeperRegistry implements ServiceRegistry {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistry.class);

  private static final int MAX_CONNECTION_TIMEOUT_MS = 15_000;
  private static final int RETRY_BASE_SLEEP_MS = 250;
  private static final int RETRY_MAX_SLEEP_MS = 5_000;
  private static final int MAX_RETRIES = 10;

  private final String name;
  private final ZooKeeperSettings settings;
  private final String root;
  private final TreeLayout layout;
  private final String hostnameTemplate;
  private final CuratorFramework client;
  private final CuratorCache cache;
  private final ConnectionHealth health;

  // Guarded by this.
  private RegistryListener listener;
  private boolean loaded;
  private boolean closed;
  private long sessionId;
  private boolean sessionLost;

  /** The instance nodes as last read, by hostname, then by path (sorted, for a stable order). */
  private final Map<String, SortedMap<String, Node>> nodes = new HashMap<>();

  /** What was last emitted, by hostname. */
  private final Map<String, MeshService> current = new HashMap<>();

  /** Hostnames whose instances disagree on the protocol, warned about once. */
  private final Set<String> mixedProtocols = new HashSet<>();

  private volatile boolean synced;
  private volatile long startedNanos;

  /** An instance node as last read: its version, and its instance unless it could not be read. */
  private record Node(long mzxid, Optional<Instance> instance) {}

  /**
   * @param name the registry's configured name, the origin of its endpoints
   */
  public ZooKeeperRegistry(String name, ZooKeeperSettings settings) {
    this(name, settings, Clock.systemUTC());
  }

  ZooKeeperRegistry(String name, ZooKeeperSettings settings, Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.root = TreeLayout.root(settings);
    this.layout = TreeLayout.of(settings);
    this.hostnameTemplate = settings.hostname().orElse(ZooKeeperServices.NAME_PLACEHOLDER);
    int sessionMillis = Math.toIntExact(settings.sessionTimeout().toMillis());
    this.client =
        CuratorFrameworkFactory.builder()
            .connectString(settings.connectString())
            .sessionTimeoutMs(sessionMillis)
            .connectionTimeoutMs(Math.min(sessionMillis, MAX_CONNECTION_TIMEOUT_MS))
            .retryPolicy(
                new ExponentialBackoffRetry(RETRY_BASE_SLEEP_MS, MAX_RETRIES, RETRY_MAX_SLEEP_MS))
            .build();
    this.cache =
        CuratorCache.builder(client, root).withExceptionHandler(this::onCacheError).build();
    this.health =
        new ConnectionHealth(
            name, settings.connectString(), settings.staleAfter(), clock, () -> synced);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start(RegistryListener listener) {
    synchronized (this) {
      if (this.listener != null) {
        throw new IllegalStateException(name + " is already started");
      }
      this.listener = Objects.requireNonNull(listener, "listener");
    }
    startedNanos = System.nanoTime();
    log.info(
        "{}: watching ZooKeeper {} under {} ({} layout)",
        name,
        settings.connectString(),
        root,
        settings.layout().name().toLowerCase(Locale.ROOT));
    health.start();
    client.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forAll(this::onNodeEvent)
                .forInitialized(this::onLoaded)
                .build());
    client.start();
    cache.start();
  }

  /** The cache has read the whole tree once: every service is delivered, then synced is true. */
  private synchronized void onLoaded() {
    if (closed) {
      return;
    }
    loaded = true;
    fullSync();
    synced = true;
    int endpoints = current.values().stream().mapToInt(s -> s.endpoints().size()).sum();
    log.info(
        "{}: first sync done in {} ms: {} services, {} endpoints",
        name,
        (System.nanoTime() - startedNanos) / 1_000_000,
        current.size(),
        endpoints);
  }

  private void onConnectionState(ConnectionState state) {
    switch (state) {
      case CONNECTED, RECONNECTED, READ_ONLY -> onConnected(state);
      case SUSPENDED -> {
        health.down("connection suspended");
        log.warn(
            "{}: connection to ZooKeeper {} suspended; serving the last known state",
            name,
            settings.connectString());
      }
      case LOST -> {
        synchronized (this) {
          sessionLost = true;
        }
        health.down("session lost");
        log.warn(
            "{}: ZooKeeper session lost ({}); serving the last known state until a new session",
            name,
            settings.connectString());
      }
    }
  }

  private void onConnected(ConnectionState state) {
    long id = currentSessionId();
    Optional<Duration> outage = health.up();
    String session;
    boolean resync;
    synchronized (this) {
      session = sessionLost || id != sessionId ? "a new session" : "the same session";
      sessionId = id;
      sessionLost = false;
      resync = loaded && !closed;
    }
    if (state == ConnectionState.CONNECTED) {
      log.info(
          "{}: connected to ZooKeeper {} (session 0x{})",
          name,
          settings.connectString(),
          Long.toHexString(id));
      return;
    }
    log.info(
        "{}: reconnected to ZooKeeper {} with {} (0x{}) after {} ms; resyncing from the tree",
        name,
        settings.connectString(),
        session,
        Long.toHexString(id),
        outage.map(Duration::toMillis).orElse(0L));
    if (resync) {
      // Curator's cache re-reads the tree on its own and reports each node that changed; this
      // recomputes every service from the cache as well, so that nothing depends on events alone.
      int changed = fullSync();
      log.debug("{}: resync from the cache changed {} services", name, changed);
    }
  }

  private long currentSessionId() {
    try {
      return client.getZookeeperClient().getZooKeeper().getSessionId();
    } catch (Exception e) {
      return 0;
    }
  }

  private void onCacheError(Exception e) {
    if (e instanceof KeeperException.ConnectionLossException
        || e instanceof KeeperException.SessionExpiredException) {
      // The connection state listener reports the outage; the cache re-reads once it is over.
      log.debug("{}: reading the tree failed: {}", name, e.toString());
    } else {
      log.warn("{}: reading the tree under {} failed: {}", name, root, e.toString());
    }
  }

  private synchronized void onNodeEvent(
      CuratorCacheListener.Type type, ChildData before, ChildData after) {
    if (!loaded || closed) {
      return; // the first sync reads the whole cache
    }
    String path = (after != null ? after : before).getPath();
    Optional<String> service = layout.serviceOf(path);
    if (service.isEmpty()) {
      return;
    }
    String hostname = ZooKeeperServices.hostname(hostnameTemplate, service.get());
    if (type == CuratorCacheListener.Type.NODE_DELETED) {
      SortedMap<String, Node> byPath = nodes.get(hostname);
      if (byPath != null) {
        byPath.remove(path);
      }
    } else {
      nodes
          .computeIfAbsent(hostname, h -> new TreeMap<>())
          .put(path, read(after, known(hostname, path)));
    }
    recompute(hostname);
  }

  /**
   * Recomputes every service from the cache and emits what changed.
   *
   * @return how many services changed
   */
  private synchronized int fullSync() {
    if (closed) {
      return 0;
    }
    Map<String, SortedMap<String, Node>> fresh = new HashMap<>();
    cache.stream()
        .forEach(
            data ->
                layout
                    .serviceOf(data.getPath())
                    .ifPresent(
                        service -> {
                          String hostname = ZooKeeperServices.hostname(hostnameTemplate, service);
                          fresh
                              .computeIfAbsent(hostname, h -> new TreeMap<>())
                              .put(data.getPath(), read(data, known(hostname, data.getPath())));
                        }));
    Set<String> hostnames = new TreeSet<>(current.keySet());
    hostnames.addAll(fresh.keySet());
    nodes.clear();
    nodes.putAll(fresh);
    int changed = 0;
    for (String hostname : hostnames) {
      if (recompute(hostname)) {
        changed++;
      }
    }
    return changed;
  }

  private Node known(String hostname, String path) {
    SortedMap<String, Node> byPath = nodes.get(hostname);
    return byPath == null ? null : byPath.get(path);
  }

  /**
   * Reads an instance node, or reuses what was read of the same version: a node that cannot be read
   * is warned about once per version, however often its service is recomputed.
   */
  private Node read(ChildData data, Node known) {
    long mzxid = data.getStat().getMzxid();
    if (known != null && known.mzxid() == mzxid) {
      return known;
    }
    String path = data.getPath();
    try {
      Reading reading = layout.read(path, data.getData());
      reading.note().ifPresent(note -> log.warn("{}: {}: {}", name, path, note));
      return new Node(mzxid, Optional.of(reading.instance()));
    } catch (RuntimeException e) {
      // Garbage in one node drops that instance, not its service.
      log.warn("{}: skipping {}: {}", name, path, e.getMessage());
      return new Node(mzxid, Optional.empty());
    }
  }

  /**
   * Recomputes one service from its instance nodes and emits the change, if any.
   *
   * @return whether it changed
   */
  private boolean recompute(String hostname) {
    SortedMap<String, Node> byPath = nodes.get(hostname);
    List<Instance> instances =
        byPath == null
            ? List.of()
            : byPath.values().stream().flatMap(n -> n.instance().stream()).toList();
    if (byPath != null && byPath.isEmpty()) {
      nodes.remove(hostname);
    }
    MeshService after =
        instances.isEmpty()
            ? null
            : ZooKeeperServices.meshService(hostname, settings.namespace(), instances, name);
    warnIfMixed(hostname, instances);
    MeshService before = current.get(hostname);
    Optional<ServiceEvent> change = ServiceDiff.change(hostname, before, after, name);
    if (change.isEmpty()) {
      return false;
    }
    if (after == null) {
      current.remove(hostname);
    } else {
      current.put(hostname, after);
    }
    listener.onEvent(change.get());
    return true;
  }

  private void warnIfMixed(String hostname, List<Instance> instances) {
    if (!ZooKeeperServices.mixedProtocols(instances)) {
      mixedProtocols.remove(hostname);
    } else if (mixedProtocols.add(hostname)) {
      log.warn(
          "{}: the instances of {} speak {}; serving it as tcp",
          name,
          hostname,
          instances.stream()
              .map(i -> i.protocol().name().toLowerCase(Locale.ROOT))
              .distinct()
              .sorted()
              .toList());
    }
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public synchronized List<MeshService> services() {
    return current.values().stream().sorted(Comparator.comparing(MeshService::hostname)).toList();
  }

  /** Stale while ZooKeeper has been unreachable for {@code staleAfter}, with the reason. */
  @Override
  public SourceStatus status() {
    boolean serving = synced;
    List<ConfigError> errors =
        health
            .problem()
            .map(
                problem ->
                    List.of(
                        new ConfigError(
                            new SourceLocation(settings.connectString(), 0, 0), "", problem)))
            .orElse(List.of());
    return new SourceStatus(
        name,
        "zookeeper",
        serving,
        serving && health.unreachable(),
        errors,
        serving ? health.lastUp() : Optional.empty());
  }

  /** The registry's own client, for tests that expire its session. */
  CuratorFramework curator() {
    return client;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    health.close();
    cache.close();
    client.close();
  }
}
