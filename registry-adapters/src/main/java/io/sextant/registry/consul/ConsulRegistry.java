package io.sextant.registry.consul;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.catalog.CatalogServicesRequest;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.HealthService;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.registry.RegistryListener;
import io.sextant.registry.ServiceDiff;
import io.sextant.registry.ServiceEvent;
import io.sextant.registry.ServiceRegistry;
import io.sextant.registry.SourceStatus;
import io.sextant.registry.consul.ConsulServices.Instance;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services from Consul's catalog, watched with blocking queries: per datacenter one query on {@code
 * /v1/catalog/services} for services coming and going, and one per service on {@code
 * /v1/health/service/NAME} for its instances and their checks. Each query runs on its own daemon
 * thread ({@code sextant-consul-NAME-...}).
 *
 * <p>Every answer recomputes the hostname it touches and is compared with what was last emitted, so
 * an answer that changes nothing (a {@code wait} that elapsed, an idempotent write, the resync
 * after an outage) emits nothing. When Consul cannot be reached the last known state is kept; after
 * {@code staleAfter} the registry reports itself stale until every failing query has answered
 * again.
 */
public final class ConsulRegistry implements ServiceRegistry {
  private static final Logger log = LoggerFactory.getLogger(ConsulRegistry.class);

  private final String name;
  private final ConsulSettings settings;
  private final ConsulClient client;
  private final String address;
  private final long waitSeconds;
  private final ScheduledExecutorService timer;
  private final Connectivity connectivity;
  private final AtomicBoolean refreshing = new AtomicBoolean();

  /** The datacenter list's key in {@link Connectivity}. */
  private final Object datacenterList = new Object();

  // Guarded by this.
  private RegistryListener listener;
  private boolean closed;
  private boolean datacentersKnown;
  private Thread datacenterReader;
  private String template;
  private long startNanos;
  private final Map<String, Datacenter> datacenters = new TreeMap<>();
  private final Map<SourceKey, Source> sources = new HashMap<>();
  private final Map<String, Set<SourceKey>> byHostname = new HashMap<>();

  /** What was last emitted, by hostname. */
  private final Map<String, MeshService> current = new HashMap<>();

  private final Set<String> warned = new HashSet<>();

  private volatile boolean synced;

  /**
   * @param name the registry's configured name, the origin of its endpoints
   * @throws IllegalArgumentException for an address, hostname template, wait or TLS file that
   *     cannot be used
   */
  public ConsulRegistry(String name, ConsulSettings settings) {
    this(name, settings, Clock.systemUTC());
  }

  ConsulRegistry(String name, ConsulSettings settings, Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.settings = Objects.requireNonNull(settings, "settings");
    settings
        .hostname()
        .ifPresent(
            t -> {
              if (!t.contains("{name}")) {
                throw new IllegalArgumentException(
                    "Consul hostname template must contain {name}: " + t);
              }
            });
    if (settings.blockingWait().toSeconds() < 1
        || settings.blockingWait().compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException(
          "Consul wait must be between 1s and 10m (Consul's limit): " + settings.blockingWait());
    }
    ConsulTransport transport = new ConsulTransport(settings);
    this.address = transport.base();
    this.client = new ConsulClient(transport);
    this.waitSeconds = settings.blockingWait().toSeconds();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, threadName("timer")));
    this.connectivity =
        new Connectivity(name, address, settings.staleAfter(), clock, timer, () -> synced);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void start(RegistryListener listener) {
    if (this.listener != null) {
      throw new IllegalStateException(name + ": already started");
    }
    this.listener = Objects.requireNonNull(listener, "listener");
    startNanos = System.nanoTime();
    if (settings.datacenters().isEmpty()) {
      log.info("{}: watching every datacenter of Consul at {}", name, address);
      datacenterReader = daemon(this::readDatacenters, threadName("datacenters"));
      datacenterReader.start();
    } else {
      log.info(
          "{}: watching datacenters {} of Consul at {}", name, settings.datacenters(), address);
      applyDatacenters(settings.datacenters());
    }
  }

  // Datacenters.

  /** Reads the datacenter list until it is known, retrying with backoff. */
  private void readDatacenters() {
    Backoff backoff = new Backoff(new Random());
    while (!isClosed()) {
      try {
        List<String> list = client.getCatalogDatacenters().getValue();
        connectivity.succeeded(datacenterList);
        applyDatacenters(list == null ? List.of() : list);
        return;
      } catch (RuntimeException e) {
        if (isClosed()) {
          return;
        }
        connectivity.failed(datacenterList, "list of datacenters", Connectivity.describe(e));
      }
      try {
        Thread.sleep(backoff.next().toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Re-reads the datacenter list, so that new ones are watched; on a catalog watch's thread. */
  private void refreshDatacenters() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    try {
      List<String> list = client.getCatalogDatacenters().getValue();
      connectivity.succeeded(datacenterList);
      applyDatacenters(list == null ? List.of() : list);
    } catch (RuntimeException e) {
      if (!isClosed()) {
        connectivity.failed(datacenterList, "list of datacenters", Connectivity.describe(e));
      }
    } finally {
      refreshing.set(false);
    }
  }

  private synchronized void applyDatacenters(Collection<String> list) {
    if (closed) {
      return;
    }
    Set<String> wanted = new TreeSet<>();
    for (String dc : list) {
      if (dc != null && !dc.isBlank()) {
        wanted.add(dc);
      }
    }
    boolean first = !datacentersKnown;
    datacentersKnown = true;
    Set<String> touched = new LinkedHashSet<>();
    for (String dc : List.copyOf(datacenters.keySet())) {
      if (!wanted.contains(dc)) {
        log.warn(
            "{}: datacenter {} is no longer listed by Consul; its services are removed", name, dc);
        datacenters.remove(dc).catalog.stop();
        for (Source s : List.copyOf(sources.values())) {
          if (s.key.dc().equals(dc)) {
            touched.add(s.hostname);
            drop(s);
          }
        }
      }
    }
    List<Datacenter> added = new ArrayList<>();
    for (String dc : wanted) {
      if (!datacenters.containsKey(dc)) {
        if (!first) {
          log.info("{}: datacenter {} appeared; watching it", name, dc);
        }
        Datacenter d = new Datacenter(dc);
        datacenters.put(dc, d);
        added.add(d);
      }
    }
    String t = ConsulServices.template(settings.hostname(), datacenters.size());
    if (template != null && !t.equals(template)) {
      log.warn(
          "{}: {} datacenter(s) now, so the default hostnames change from {} to {}; set"
              + " hostname to keep them fixed",
          name,
          datacenters.size(),
          template,
          t);
      template = t;
      rename(touched);
    }
    template = t;
    added.forEach(d -> d.catalog.start());
    recompute(touched);
    checkSynced();
  }

  /** Gives every source the hostname of the current template. */
  private void rename(Set<String> touched) {
    for (Source s : List.copyOf(sources.values())) {
      touched.add(s.hostname);
      unindex(s);
      Optional<String> hostname = hostnameOf(s.key);
      if (hostname.isEmpty()) {
        s.watch.stop();
        sources.remove(s.key);
        continue;
      }
      s.hostname = hostname.get();
      byHostname.computeIfAbsent(s.hostname, h -> new HashSet<>()).add(s.key);
      touched.add(s.hostname);
    }
  }

  // Answers.

  private synchronized void onCatalog(Datacenter d, Map<String, List<String>> services) {
    if (closed || datacenters.get(d.name) != d) {
      return;
    }
    Set<String> names = services == null ? Set.of() : services.keySet();
    Set<String> touched = new LinkedHashSet<>();
    for (Source s : List.copyOf(sources.values())) {
      if (s.key.dc().equals(d.name) && !names.contains(s.key.service())) {
        log.info("{}: service {} left the catalog of {}", name, s.key.service(), d.name);
        touched.add(s.hostname);
        drop(s);
      }
    }
    for (String service : new TreeSet<>(names)) {
      SourceKey key = new SourceKey(d.name, service);
      if (sources.containsKey(key)) {
        continue;
      }
      Optional<String> hostname = hostnameOf(key);
      if (hostname.isEmpty()) {
        continue;
      }
      Source s = new Source(key, hostname.get());
      sources.put(key, s);
      byHostname.computeIfAbsent(s.hostname, h -> new HashSet<>()).add(key);
      s.watch.start();
    }
    d.catalogDelivered = true;
    recompute(touched);
    checkSynced();
  }

  private synchronized void onHealth(Source s, List<HealthService> entries) {
    if (closed || sources.get(s.key) != s) {
      return;
    }
    List<Instance> instances = new ArrayList<>();
    for (HealthService entry : entries == null ? List.<HealthService>of() : entries) {
      try {
        instances.add(
            ConsulServices.instance(
                entry, s.key.dc(), settings.includeWarning(), settings.localityKeys()));
      } catch (IllegalArgumentException e) {
        warnOnce(
            "instance " + s.key + " " + e.getMessage(),
            "{}: an instance of {} in {} is skipped: {}",
            s.key.service(),
            s.key.dc(),
            e.getMessage());
      }
    }
    s.instances = List.copyOf(instances);
    boolean first = !s.delivered;
    s.delivered = true;
    recompute(List.of(s.hostname));
    if (first) {
      checkSynced();
    }
  }

  /** Recomputes each hostname from all the sources that map to it and emits what changed. */
  private void recompute(Collection<String> hostnames) {
    for (String hostname : hostnames) {
      List<Instance> instances = new ArrayList<>();
      for (SourceKey key : byHostname.getOrDefault(hostname, Set.of())) {
        instances.addAll(sources.get(key).instances);
      }
      MeshService after;
      try {
        after =
            ConsulServices.meshService(
                    hostname, instances, settings.namespace(), settings.defaultProtocol(), name)
                .orElse(null);
      } catch (RuntimeException e) {
        // Garbage in one service drops that service's update, not the registry.
        log.warn("{}: cannot convert {}; keeping its previous state", name, hostname, e);
        continue;
      }
      ConsulServices.first(instances)
          .flatMap(Instance::protocol)
          .filter(p -> Protocol.parse(p).isEmpty())
          .ifPresent(
              p ->
                  warnOnce(
                      "protocol " + hostname + " " + p,
                      "{}: {} has protocol meta '{}', which is not http, http2, grpc or tcp;"
                          + " using {}",
                      hostname,
                      p,
                      settings.defaultProtocol()));
      MeshService before = current.get(hostname);
      Optional<ServiceEvent> change = ServiceDiff.change(hostname, before, after, name);
      if (change.isPresent()) {
        if (after == null) {
          current.remove(hostname);
        } else {
          current.put(hostname, after);
        }
        listener.onEvent(change.get());
      }
    }
  }

  private void checkSynced() {
    if (synced || !datacentersKnown) {
      return;
    }
    for (Datacenter d : datacenters.values()) {
      if (!d.catalogDelivered) {
        return;
      }
    }
    for (Source s : sources.values()) {
      if (!s.delivered) {
        return;
      }
    }
    synced = true;
    log.info(
        "{}: first sync done in {} ms: {} datacenter(s), {} services, {} endpoints",
        name,
        (System.nanoTime() - startNanos) / 1_000_000,
        datacenters.size(),
        current.size(),
        current.values().stream().mapToInt(s -> s.endpoints().size()).sum());
  }

  // Sources: one Consul service in one datacenter.

  /** The hostname of a Consul service; empty (warned once) when it cannot have one. */
  private Optional<String> hostnameOf(SourceKey key) {
    Optional<String> hostname = ConsulServices.hostname(template, key.service(), key.dc());
    if (hostname.isEmpty()) {
      if (!ConsulServices.isDnsLabel(key.service())) {
        warnOnce(
            "name " + key.service(),
            "{}: Consul service '{}' is skipped: its name is not a valid DNS label",
            key.service());
      } else {
        warnOnce(
            "hostname " + key,
            "{}: Consul service '{}' in {} is skipped: hostname template {} gives no valid"
                + " hostname",
            key.service(),
            key.dc(),
            template);
      }
    }
    return hostname;
  }

  private void drop(Source s) {
    s.watch.stop();
    sources.remove(s.key);
    unindex(s);
  }

  private void unindex(Source s) {
    Set<SourceKey> keys = byHostname.get(s.hostname);
    if (keys != null) {
      keys.remove(s.key);
      if (keys.isEmpty()) {
        byHostname.remove(s.hostname);
      }
    }
  }

  private void warnOnce(String key, String format, Object... args) {
    if (warned.add(key)) {
      Object[] withName = new Object[args.length + 1];
      withName[0] = name;
      System.arraycopy(args, 0, withName, 1, args.length);
      log.warn(format, withName);
    }
  }

  // Queries.

  private Response<Map<String, List<String>>> catalog(String dc, long index) {
    return client.getCatalogServices(
        CatalogServicesRequest.newBuilder()
            .setQueryParams(new QueryParams(dc, waitSeconds, index))
            .build());
  }

  private Response<List<HealthService>> health(SourceKey key, long index) {
    return client.getHealthServices(
        key.service(),
        HealthServicesRequest.newBuilder()
            .setQueryParams(new QueryParams(key.dc(), waitSeconds, index))
            .build());
  }

  private record SourceKey(String dc, String service) {
    @Override
    public String toString() {
      return service + "@" + dc;
    }
  }

  private final class Datacenter {
    final String name;
    final BlockingWatch<Map<String, List<String>>> catalog;
    boolean catalogDelivered;

    Datacenter(String dc) {
      this.name = dc;
      this.catalog =
          new BlockingWatch<>(
              threadName("catalog-" + dc),
              "catalog of " + dc,
              index -> catalog(dc, index),
              services -> {
                onCatalog(this, services);
                if (settings.datacenters().isEmpty()) {
                  refreshDatacenters();
                }
              },
              connectivity);
    }
  }

  private final class Source {
    final SourceKey key;
    final BlockingWatch<List<HealthService>> watch;
    String hostname;
    List<Instance> instances = List.of();
    boolean delivered;

    Source(SourceKey key, String hostname) {
      this.key = key;
      this.hostname = hostname;
      this.watch =
          new BlockingWatch<>(
              threadName("health-" + key.dc() + "-" + key.service()),
              "health of " + key.service() + " in " + key.dc(),
              index -> health(key, index),
              entries -> onHealth(this, entries),
              connectivity);
    }
  }

  // ServiceRegistry.

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public synchronized List<MeshService> services() {
    return current.values().stream().sorted(Comparator.comparing(MeshService::hostname)).toList();
  }

  @Override
  public SourceStatus status() {
    return new SourceStatus(
        name,
        "consul",
        synced,
        connectivity.stale(),
        connectivity.errors(),
        connectivity.lastSync());
  }

  @Override
  public void close() {
    List<BlockingWatch<?>> watches = new ArrayList<>();
    Thread reader;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      datacenters.values().forEach(d -> watches.add(d.catalog));
      sources.values().forEach(s -> watches.add(s.watch));
      reader = datacenterReader;
    }
    watches.forEach(BlockingWatch::stop);
    if (reader != null) {
      reader.interrupt();
    }
    timer.shutdownNow();
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private String threadName(String what) {
    return "sextant-consul-" + name + "-" + what;
  }

  private static Thread daemon(Runnable r, String threadName) {
    Thread t = new Thread(r, threadName);
    t.setDaemon(true);
    return t;
  }
}
