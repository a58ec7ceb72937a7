package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.sextant.config.ConfigError;
import io.sextant.config.ConfigLoader;
import io.sextant.config.ConfigResource;
import io.sextant.config.LoadResult;
import io.sextant.registry.ResourceFeed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Custom resources of some kinds, in one or more API groups ({@code networking.istio.io}, {@code
 * sextant.io}), watched in a Kubernetes cluster and checked by the same {@link ConfigLoader} as
 * files.
 *
 * <p>Each API group is discovered first. Whatever versions the server serves, one informer per kind
 * watches the server's preferred version among those Sextant reads for the group (for Istio {@code
 * v1}, {@code v1beta1} and {@code v1alpha3}): the API server converts every stored object to the
 * version asked for. A group that is not installed delivers nothing and is looked for again every
 * {@link #DISCOVERY_RETRY}; the other groups flow meanwhile.
 *
 * <p>One feed watches every group, rather than one feed per group, so that a source has one
 * connection state, one relist after an outage and one first delivery holding every kind.
 *
 * <p>An object that fails validation is skipped (its last valid version, if any, stays in effect),
 * logged once per change, and reported with a Warning Event on the object.
 */
public final class CustomResourceFeed implements ResourceFeed {
  private static final Logger log = LoggerFactory.getLogger(CustomResourceFeed.class);
  static final Duration DISCOVERY_RETRY = Duration.ofSeconds(30);
  private static final Duration DISCOVERY_ERROR_RETRY = Duration.ofSeconds(5);

  private final String source;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final KubernetesSettings settings;
  private final List<CustomResourceGroup> groups;
  private final Duration discoveryRetry;
  private final Consumer<List<ConfigResource>> sink;
  private final WatchHealth health;
  private final RejectionEvents events;
  private final AtomicLong rejections = new AtomicLong();
  private final ScheduledExecutorService discovery;

  // Confined to the discovery thread.
  private final Set<CustomResourceGroup> watchedGroups = new HashSet<>();
  private ScheduledFuture<?> retry;

  // Guarded by this.
  private final Map<String, Accepted> accepted = new HashMap<>();
  private final Map<String, List<ConfigError>> rejected = new HashMap<>();
  private boolean cachesComplete;
  private List<ConfigResource> delivered;

  private volatile List<SharedIndexInformer<GenericKubernetesResource>> informers = List.of();
  private volatile Optional<SharedIndexInformer<Namespace>> namespaces = Optional.empty();
  private volatile boolean synced;
  private volatile boolean closed;

  /** The last valid version of one object. */
  private record Accepted(String resourceVersion, List<ConfigResource> resources) {}

  /**
   * @param source the registry or rule source this feeds, for logs and Events
   * @param groups the API groups and kinds to watch
   * @param sink receives every valid resource after each change
   */
  public CustomResourceFeed(
      String source,
      KubernetesClient client,
      boolean ownsClient,
      KubernetesSettings settings,
      List<CustomResourceGroup> groups,
      Consumer<List<ConfigResource>> sink) {
    this(source, client, ownsClient, settings, groups, DISCOVERY_RETRY, sink);
  }

  /** As the public constructor, looking for missing groups every {@code discoveryRetry}. */
  CustomResourceFeed(
      String source,
      KubernetesClient client,
      boolean ownsClient,
      KubernetesSettings settings,
      List<CustomResourceGroup> groups,
      Duration discoveryRetry,
      Consumer<List<ConfigResource>> sink) {
    this.source = Objects.requireNonNull(source, "source");
    this.client = Objects.requireNonNull(client, "client");
    this.ownsClient = ownsClient;
    this.settings = Objects.requireNonNull(settings, "settings");
    this.groups = List.copyOf(groups);
    this.discoveryRetry = Objects.requireNonNull(discoveryRetry, "discoveryRetry");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.health = new WatchHealth(source, settings.staleAfter(), Clock.systemUTC());
    this.events = new RejectionEvents(client, source);
    this.discovery =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sextant-crd-discovery-" + source);
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void start() {
    discovery.execute(this::discover);
    health.start(() -> synced, this::watching, this::relist);
  }

  /**
   * Finds the version to watch of each group not watched yet and starts its informers; a group that
   * is not served is looked for again later.
   */
  private void discover() {
    if (closed) {
      return;
    }
    Map<CustomResourceGroup, String> found = new LinkedHashMap<>();
    boolean missing = false;
    for (CustomResourceGroup group : groups) {
      if (watchedGroups.contains(group)) {
        continue;
      }
      Optional<String> version;
      try {
        version = discoverVersion(client, group);
      } catch (RuntimeException e) {
        health.lastError("API discovery failed: " + e.getMessage());
        log.warn(
            "{}: API discovery failed, retrying in {}s: {}",
            source,
            DISCOVERY_ERROR_RETRY.toSeconds(),
            e.toString());
        discoverAgainIn(DISCOVERY_ERROR_RETRY);
        return;
      }
      if (version.isPresent()) {
        found.put(group, version.get());
      } else {
        missing = true;
        log.warn(
            "{}: the API server does not serve {} in {}; no {} until it does (install its CRDs,"
                + " see charts/sextant/crds/); looking again every {}s",
            source,
            group.name(),
            String.join(", ", group.versions()),
            group.kinds(),
            discoveryRetry.toSeconds());
      }
    }
    if (missing) {
      discoverAgainIn(discoveryRetry);
    }
    if (!found.isEmpty()) {
      watchedGroups.addAll(found.keySet());
      startInformers(found);
    } else if (watchedGroups.isEmpty()) {
      fullSync(); // nothing is served: no rules, and nothing to wait for
    }
  }

  private void discoverAgainIn(Duration delay) {
    if (retry != null) {
      retry.cancel(false);
    }
    retry = discovery.schedule(this::discover, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The version of {@code group} to watch on this server; empty if none is served. */
  public static Optional<String> discoverVersion(
      KubernetesClient client, CustomResourceGroup group) {
    return servedVersion(group, client.getApiGroup(group.name()))
        .or(() -> probeVersions(client, group));
  }

  /**
   * The server's preferred version of the group if it is one Sextant reads, else the first of
   * Sextant's versions that the server serves.
   */
  static Optional<String> servedVersion(CustomResourceGroup ours, APIGroup served) {
    if (served == null || served.getVersions() == null || served.getVersions().isEmpty()) {
      return Optional.empty();
    }
    if (served.getPreferredVersion() != null
        && ours.versions().contains(served.getPreferredVersion().getVersion())) {
      return Optional.of(served.getPreferredVersion().getVersion());
    }
    List<String> versions =
        served.getVersions().stream().map(GroupVersionForDiscovery::getVersion).toList();
    return ours.versions().stream().filter(versions::contains).findFirst();
  }

  /**
   * For servers whose group discovery lists no versions (fabric8's mock answers {@code /apis/GROUP}
   * with the CRDs), the first of Sextant's versions whose resource list is served.
   */
  private static Optional<String> probeVersions(
      KubernetesClient client, CustomResourceGroup group) {
    for (String version : group.versions()) {
      APIResourceList list = client.getApiResources(group.apiVersion(version));
      if (list != null && list.getResources() != null && !list.getResources().isEmpty()) {
        return Optional.of(version);
      }
    }
    return Optional.empty();
  }

  /**
   * The plural resource name of each kind of {@code group} the server serves in {@code version}.
   */
  private Map<String, String> servedKinds(CustomResourceGroup group, String version) {
    APIResourceList resources = client.getApiResources(group.apiVersion(version));
    Map<String, String> served = new LinkedHashMap<>();
    for (String kind : group.kinds()) {
      Optional<String> plural =
          resources == null
              ? Optional.empty()
              : resources.getResources().stream()
                  .filter(r -> kind.equals(r.getKind()) && !r.getName().contains("/"))
                  .map(r -> r.getName())
                  .findFirst();
      if (plural.isPresent()) {
        served.put(kind, plural.get());
      } else {
        log.warn("{}: {} {} is not served; skipping it", source, group.apiVersion(version), kind);
      }
    }
    return served;
  }

  /** Starts informers for the kinds of {@code found} (group to version), then syncs fully. */
  private void startInformers(Map<CustomResourceGroup, String> found) {
    long resync = settings.resyncInterval().toMillis();
    List<SharedIndexInformer<GenericKubernetesResource>> next = new ArrayList<>(informers);
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    List<String> targets =
        settings.namespaces().isEmpty() ? Collections.singletonList(null) : settings.namespaces();
    found.forEach(
        (group, version) -> {
          Map<String, String> served = servedKinds(group, version);
          log.info("{}: watching {} {}", source, served.keySet(), group.apiVersion(version));
          served.forEach(
              (kind, plural) -> {
                ResourceDefinitionContext context =
                    new ResourceDefinitionContext.Builder()
                        .withGroup(group.name())
                        .withVersion(version)
                        .withKind(kind)
                        .withPlural(plural)
                        .withNamespaced(true)
                        .build();
                for (String ns : targets) {
                  var op = client.genericKubernetesResources(context);
                  SharedIndexInformer<GenericKubernetesResource> informer =
                      (ns == null ? op.inAnyNamespace() : op.inNamespace(ns))
                          .runnableInformer(resync);
                  informer.itemStore(LeanStore.withoutBookkeeping());
                  informer.addEventHandler(new Handler());
                  informer.exceptionHandler(health::onError);
                  next.add(informer);
                  starts.add(informer.start().toCompletableFuture());
                }
              });
        });
    if (namespaces.isEmpty()
        && !settings.namespaceSelector().isEmpty()
        && settings.namespaces().isEmpty()) {
      SharedIndexInformer<Namespace> ns =
          client
              .namespaces()
              .withLabels(settings.namespaceSelector())
              .runnableInformer(resync)
              .itemStore(LeanStore.withoutBookkeeping());
      ns.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace obj) {
              deliverIfChanged();
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {}

            @Override
            public void onDelete(Namespace obj, boolean finalStateUnknown) {
              deliverIfChanged();
            }
          });
      ns.exceptionHandler(health::onError);
      namespaces = Optional.of(ns);
      starts.add(ns.start().toCompletableFuture());
    }
    informers = List.copyOf(next);
    CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                log.error("{}: custom resource informers failed to start", source, error);
                health.lastError(String.valueOf(error));
              } else {
                fullSync();
              }
            });
  }

  private boolean watching() {
    return informers.stream().allMatch(SharedIndexInformer::isWatching)
        && namespaces.map(SharedIndexInformer::isWatching).orElse(true);
  }

  private void relist() {
    synchronized (this) {
      cachesComplete = false;
    }
    discovery.execute(
        () -> {
          stopInformers();
          informers = List.of();
          namespaces = Optional.empty();
          watchedGroups.clear();
          discover();
        });
  }

  /** Converts every cached object again and delivers the result. */
  private synchronized void fullSync() {
    cachesComplete = true;
    Map<String, GenericKubernetesResource> live = new LinkedHashMap<>();
    for (SharedIndexInformer<GenericKubernetesResource> informer : informers) {
      for (GenericKubernetesResource r : informer.getStore().list()) {
        live.put(key(r), r);
      }
    }
    accepted.keySet().retainAll(live.keySet());
    rejected.keySet().retainAll(live.keySet());
    live.values().forEach(this::convert);
    deliverIfChanged();
    synced = true;
    health.resynced();
  }

  private synchronized void onChange(GenericKubernetesResource resource, boolean deleted) {
    String key = key(resource);
    if (deleted) {
      accepted.remove(key);
      rejected.remove(key);
    } else {
      convert(resource);
    }
    if (cachesComplete) {
      deliverIfChanged();
    }
  }

  /** Validates one object; records it as accepted, or keeps its last valid version. */
  private void convert(GenericKubernetesResource resource) {
    String key = key(resource);
    String resourceVersion = resource.getMetadata().getResourceVersion();
    Accepted previous = accepted.get(key);
    if (previous != null
        && Objects.equals(previous.resourceVersion(), resourceVersion)
        && !rejected.containsKey(key)) {
      return; // a resync or relist of an object already read
    }
    LoadResult result = ConfigLoader.parse(location(resource), CustomResourceYaml.render(resource));
    if (result.ok()) {
      accepted.put(key, new Accepted(resourceVersion, result.resources()));
      if (rejected.remove(key) != null) {
        log.info("{}: {} is valid again", source, key);
      }
      return;
    }
    List<ConfigError> errors = result.errors();
    if (!errors.equals(rejected.get(key))) {
      rejections.incrementAndGet();
      log.warn(
          "{}: rejected {}{}: {}",
          source,
          key,
          previous == null ? "" : " (its previous version stays in effect)",
          errors.stream().map(ConfigError::toString).toList());
      events.rejected(resource, errors);
    }
    rejected.put(key, errors);
  }

  /**
   * Delivers every accepted resource in a selected namespace, unless that is what was last sent.
   */
  private synchronized void deliverIfChanged() {
    List<ConfigResource> all = new ArrayList<>();
    accepted.entrySet().stream()
        .filter(e -> selected(e.getKey()))
        .sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
        .forEach(e -> all.addAll(e.getValue().resources()));
    if (all.equals(delivered)) {
      return;
    }
    delivered = List.copyOf(all);
    sink.accept(delivered);
  }

  private boolean selected(String key) {
    if (namespaces.isEmpty()) {
      return true;
    }
    String namespace = key.split("/", 3)[1];
    return namespaces.get().getStore().getByKey(namespace) != null;
  }

  /** {@code KIND/NAMESPACE/NAME}. */
  private static String key(GenericKubernetesResource r) {
    return r.getKind() + "/" + Cache.metaNamespaceKeyFunc(r);
  }

  /** Where errors point: the object, as {@code kubectl} names it. */
  static String location(GenericKubernetesResource r) {
    return r.getKind().toLowerCase(Locale.ROOT)
        + "/"
        + r.getMetadata().getName()
        + " -n "
        + r.getMetadata().getNamespace();
  }

  private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
    @Override
    public void onAdd(GenericKubernetesResource obj) {
      onChange(obj, false);
    }

    @Override
    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
      onChange(after, false);
    }

    @Override
    public void onDelete(GenericKubernetesResource obj, boolean finalStateUnknown) {
      onChange(obj, true);
    }
  }

  @Override
  public long rejections() {
    return rejections.get();
  }

  @Override
  public synchronized List<ConfigError> errors() {
    List<ConfigError> all =
        new ArrayList<>(KubernetesRegistry.connectionErrors(client, synced, health));
    rejected.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> all.addAll(e.getValue()));
    return all;
  }

  @Override
  public boolean stale() {
    return health.stale();
  }

  @Override
  public Optional<Instant> lastSync() {
    return health.lastSync();
  }

  private void stopInformers() {
    informers.forEach(SharedIndexInformer::stop);
    namespaces.ifPresent(SharedIndexInformer::stop);
  }

  @Override
  public void close() {
    closed = true;
    discovery.shutdownNow();
    health.close();
    stopInformers();
    if (ownsClient) {
      client.close();
    }
  }
}
