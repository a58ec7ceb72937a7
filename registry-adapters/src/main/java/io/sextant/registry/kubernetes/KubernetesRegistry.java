package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.sextant.config.ConfigError;
import io.sextant.config.SourceLocation;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.registry.RegistryListener;
import io.sextant.registry.ServiceDiff;
import io.sextant.registry.ServiceRegistry;
import io.sextant.registry.SourceStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services from a Kubernetes API server, watched with fabric8 informers: Services, EndpointSlices,
 * Pods (for endpoint labels) and Nodes (for locality), in the selected namespaces.
 *
 * <p>Every change recomputes only the services it touches and is compared with what was last
 * emitted, so an informer resync or a relist after a reconnect that changes nothing emits nothing.
 * When the watches stay down for {@code staleAfter}, the registry reports itself stale and keeps
 * serving its last known state; informers reconnect on their own.
 */
public final class KubernetesRegistry implements ServiceRegistry {
  private static final Logger log = LoggerFactory.getLogger(KubernetesRegistry.class);

  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  private static final String BY_SERVICE = "sextant/service";
  private static final String BY_POD = "sextant/pod";
  private static final String BY_IP = "sextant/ip";
  private static final String BY_NODE = "sextant/node";

  private final String name;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final KubernetesSettings settings;
  private final WatchHealth health;

  // Replaced as a set by relist(); handlers of replaced informers are stopped first.
  private volatile Watched<Service> services;
  private volatile Watched<EndpointSlice> slices;
  private volatile Watched<Pod> pods;
  private volatile Watched<Node> nodes;
  private volatile Optional<Watched<Namespace>> selectedNamespaces = Optional.empty();

  // Guarded by this.
  private RegistryListener listener;
  private boolean cachesComplete;

  /** What was last emitted, by Service key {@code NAMESPACE/NAME}. */
  private final Map<String, MeshService> current = new HashMap<>();

  private volatile boolean synced;
  private volatile long listStarted;

  /**
   * @param name the registry's configured name, the origin of its endpoints
   * @param client the client to watch with
   * @param ownsClient whether {@link #close()} closes the client
   */
  public KubernetesRegistry(
      String name, KubernetesClient client, boolean ownsClient, KubernetesSettings settings) {
    this(name, client, ownsClient, settings, Clock.systemUTC());
  }

  KubernetesRegistry(
      String name,
      KubernetesClient client,
      boolean ownsClient,
      KubernetesSettings settings,
      Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.client = Objects.requireNonNull(client, "client");
    this.ownsClient = ownsClient;
    this.settings = Objects.requireNonNull(settings, "settings");
    this.health = new WatchHealth(name, settings.staleAfter(), clock);
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
    log.info(
        "{}: watching Services, EndpointSlices, Pods and Nodes in {}",
        name,
        settings.namespaces().isEmpty()
            ? settings.namespaceSelector().isEmpty()
                ? "all namespaces"
                : "namespaces labelled " + settings.namespaceSelector()
            : "namespaces " + settings.namespaces());
    startInformers();
    health.start(() -> synced, this::watching, this::relist);
  }

  /**
   * Starts a fresh set of informers; once all have listed, every service is recomputed from their
   * caches and compared with what was emitted before, so only real differences are emitted.
   */
  private void startInformers() {
    listStarted = System.nanoTime();
    long resync = settings.resyncInterval().toMillis();
    services =
        watch(
            "Service",
            ns ->
                ns == null ? client.services().inAnyNamespace() : client.services().inNamespace(ns),
            Map.of(),
            LeanStore::stripBookkeeping,
            handler(this::serviceKeys),
            resync);
    slices =
        watch(
            "EndpointSlice",
            ns ->
                ns == null
                    ? client.discovery().v1().endpointSlices().inAnyNamespace()
                    : client.discovery().v1().endpointSlices().inNamespace(ns),
            Map.of(
                BY_SERVICE, s -> serviceKey(s).map(List::of).orElse(List.of()),
                BY_POD, KubernetesRegistry::podRefs,
                BY_IP, KubernetesRegistry::sliceIps,
                BY_NODE, KubernetesRegistry::sliceNodes),
            LeanStore::stripBookkeeping,
            handler(this::sliceKeys),
            resync);
    pods =
        watch(
            "Pod",
            ns -> ns == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(ns),
            Map.of(BY_IP, KubernetesRegistry::podIps),
            KubernetesRegistry::slimPod,
            new PodHandler(),
            resync);
    SharedIndexInformer<Node> nodeInformer =
        client.nodes().runnableInformer(resync).itemStore(LeanStore.withoutBookkeeping());
    nodeInformer.addEventHandler(new NodeHandler());
    nodeInformer.exceptionHandler(health::onError);
    nodes = new Watched<>("Node", List.of(nodeInformer));
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    if (!settings.namespaceSelector().isEmpty() && settings.namespaces().isEmpty()) {
      SharedIndexInformer<Namespace> nsInformer =
          client
              .namespaces()
              .withLabels(settings.namespaceSelector())
              .runnableInformer(resync)
              .itemStore(LeanStore.withoutBookkeeping());
      nsInformer.addEventHandler(new NamespaceHandler());
      nsInformer.exceptionHandler(health::onError);
      Watched<Namespace> watchedNamespaces = new Watched<>("Namespace", List.of(nsInformer));
      selectedNamespaces = Optional.of(watchedNamespaces);
      starts.add(watchedNamespaces.started());
    }
    for (Watched<?> w : List.of(services, slices, pods, nodes)) {
      starts.add(w.started());
    }
    CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                log.error(
                    "{}: informers failed to start; nothing is served from here", name, error);
                health.lastError(String.valueOf(error));
              } else {
                fullSync();
              }
            });
  }

  /**
   * After an outage long enough to mark the registry stale, the informers are replaced rather than
   * trusted to resume: a fresh list is the only way to learn of deletions the watch missed. The
   * last known state is served until the new lists are complete.
   */
  private void relist() {
    synchronized (this) {
      cachesComplete = false;
    }
    stopInformers();
    startInformers();
  }

  /**
   * One informer per selected namespace, or one for all of them, each with the given indexes, cache
   * and handler.
   */
  private <T extends HasMetadata> Watched<T> watch(
      String kind,
      Function<String, Informable<T>> operation,
      Map<String, Function<T, List<String>>> indexers,
      java.util.function.UnaryOperator<T> slim,
      ResourceEventHandler<T> handler,
      long resyncMillis) {
    List<String> namespaces = settings.namespaces().isEmpty() ? null : settings.namespaces();
    List<SharedIndexInformer<T>> informers = new ArrayList<>();
    List<String> targets =
        namespaces == null ? java.util.Collections.singletonList(null) : namespaces;
    for (String ns : targets) {
      ItemStore<T> store = new LeanStore<>(slim);
      SharedIndexInformer<T> informer =
          operation.apply(ns).withIndexers(indexers).runnableInformer(resyncMillis);
      informer.itemStore(store);
      informer.addEventHandler(handler);
      informer.exceptionHandler(health::onError);
      informers.add(informer);
    }
    return new Watched<>(kind, informers);
  }

  /** Recomputes every service, those known before and those in the caches now. */
  private synchronized void fullSync() {
    cachesComplete = true;
    Set<String> keys = new LinkedHashSet<>(current.keySet());
    for (Service s : services.list()) {
      keys.add(Cache.metaNamespaceKeyFunc(s));
    }
    recompute(keys);
    boolean first = !synced;
    synced = true;
    health.resynced();
    int endpoints = current.values().stream().mapToInt(s -> s.endpoints().size()).sum();
    log.info(
        "{}: {} done in {} ms: {} services, {} endpoints",
        name,
        first ? "first sync" : "resync after the outage",
        (System.nanoTime() - listStarted) / 1_000_000,
        current.size(),
        endpoints);
  }

  /** True while every informer's watch is open. */
  private boolean watching() {
    return services.watching()
        && slices.watching()
        && pods.watching()
        && nodes.watching()
        && selectedNamespaces.map(Watched::watching).orElse(true);
  }

  /** Recomputes the given services (keys {@code NAMESPACE/NAME}) and emits what changed. */
  private synchronized void recompute(Collection<String> keys) {
    if (!cachesComplete) {
      return; // fullSync() computes everything once the caches are complete
    }
    for (String key : keys) {
      int slash = key.indexOf('/');
      String namespace = key.substring(0, slash);
      String hostname =
          KubernetesServices.hostname(
              key.substring(slash + 1), namespace, settings.clusterDomain());
      MeshService after = null;
      Optional<Service> service = services.get(key);
      if (service.isPresent() && selected(namespace)) {
        try {
          after =
              KubernetesServices.convert(
                      service.get(),
                      slices.byIndex(BY_SERVICE, key),
                      lookups(namespace),
                      settings.clusterDomain(),
                      name)
                  .orElse(null);
        } catch (RuntimeException e) {
          // Garbage in one object drops that service's update, not the registry.
          log.warn("{}: cannot convert Service {}; keeping its previous state", name, key, e);
          continue;
        }
      }
      MeshService before = current.get(key);
      Optional<io.sextant.registry.ServiceEvent> change =
          ServiceDiff.change(hostname, before, after, name);
      if (change.isPresent()) {
        if (after == null) {
          current.remove(key);
        } else {
          current.put(key, after);
        }
        listener.onEvent(change.get());
      }
    }
  }

  private boolean selected(String namespace) {
    return selectedNamespaces.map(w -> w.get(namespace).isPresent()).orElse(true);
  }

  private KubernetesServices.Lookups lookups(String namespace) {
    return new KubernetesServices.Lookups(
        podName -> pods.get(namespace + "/" + podName).map(KubernetesRegistry::facts),
        ip ->
            pods.byIndex(BY_IP, namespace + "/" + ip).stream()
                .findFirst()
                .map(KubernetesRegistry::facts),
        node ->
            nodes
                .get(node)
                .map(n -> KubernetesServices.locality(n.getMetadata().getLabels()))
                .orElse(Locality.UNKNOWN));
  }

  private static KubernetesServices.PodFacts facts(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return new KubernetesServices.PodFacts(
        labels == null ? Map.of() : labels, node == null ? "" : node);
  }

  // What each kind of object change touches.

  private List<String> serviceKeys(Service s) {
    return List.of(Cache.metaNamespaceKeyFunc(s));
  }

  private List<String> sliceKeys(EndpointSlice s) {
    return serviceKey(s).map(List::of).orElse(List.of());
  }

  private static Optional<String> serviceKey(EndpointSlice s) {
    Map<String, String> labels = s.getMetadata().getLabels();
    String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    return service == null
        ? Optional.empty()
        : Optional.of(s.getMetadata().getNamespace() + "/" + service);
  }

  private static List<String> podRefs(EndpointSlice s) {
    List<String> refs = new ArrayList<>();
    if (s.getEndpoints() != null) {
      for (var e : s.getEndpoints()) {
        if (e.getTargetRef() != null
            && "Pod".equals(e.getTargetRef().getKind())
            && e.getTargetRef().getName() != null) {
          refs.add(s.getMetadata().getNamespace() + "/" + e.getTargetRef().getName());
        }
      }
    }
    return refs;
  }

  private static List<String> sliceIps(EndpointSlice s) {
    List<String> ips = new ArrayList<>();
    if (s.getEndpoints() != null) {
      for (var e : s.getEndpoints()) {
        if (e.getAddresses() != null) {
          for (String a : e.getAddresses()) {
            ips.add(s.getMetadata().getNamespace() + "/" + a);
          }
        }
      }
    }
    return ips;
  }

  private static List<String> sliceNodes(EndpointSlice s) {
    Set<String> nodeNames = new LinkedHashSet<>();
    if (s.getEndpoints() != null) {
      for (var e : s.getEndpoints()) {
        if (e.getNodeName() != null) {
          nodeNames.add(e.getNodeName());
        }
      }
    }
    return List.copyOf(nodeNames);
  }

  private static List<String> podIps(Pod p) {
    Set<String> ips = new LinkedHashSet<>();
    if (p.getStatus() != null) {
      if (p.getStatus().getPodIP() != null) {
        ips.add(p.getStatus().getPodIP());
      }
      if (p.getStatus().getPodIPs() != null) {
        for (PodIP ip : p.getStatus().getPodIPs()) {
          if (ip.getIp() != null) {
            ips.add(ip.getIp());
          }
        }
      }
    }
    return ips.stream().map(ip -> p.getMetadata().getNamespace() + "/" + ip).toList();
  }

  /** A Pod reduced to what endpoints read: name, labels, node and IPs. */
  private static Pod slimPod(Pod p) {
    var meta = p.getMetadata();
    return new PodBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withName(meta.getName())
                .withNamespace(meta.getNamespace())
                .withUid(meta.getUid())
                .withResourceVersion(meta.getResourceVersion())
                .withLabels(meta.getLabels())
                .build())
        .withNewSpec()
        .withNodeName(p.getSpec() == null ? null : p.getSpec().getNodeName())
        .endSpec()
        .withNewStatus()
        .withPodIP(p.getStatus() == null ? null : p.getStatus().getPodIP())
        .withPodIPs(p.getStatus() == null ? null : p.getStatus().getPodIPs())
        .endStatus()
        .build();
  }

  /** Services whose endpoints name the given pods, IPs or nodes. */
  private Set<String> servicesOfSlices(String index, Collection<String> keys) {
    Set<String> affected = new LinkedHashSet<>();
    for (String key : keys) {
      for (EndpointSlice slice : slices.byIndex(index, key)) {
        serviceKey(slice).ifPresent(affected::add);
      }
    }
    return affected;
  }

  private <T> ResourceEventHandler<T> handler(Function<T, List<String>> keys) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        recompute(keys.apply(obj));
      }

      @Override
      public void onUpdate(T before, T after) {
        Set<String> touched = new LinkedHashSet<>(keys.apply(before));
        touched.addAll(keys.apply(after));
        recompute(touched);
      }

      @Override
      public void onDelete(T obj, boolean finalStateUnknown) {
        recompute(keys.apply(obj));
      }
    };
  }

  /** Pods matter only through their labels, node and IPs; status churn is skipped. */
  private final class PodHandler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      recompute(affected(pod));
    }

    @Override
    public void onUpdate(Pod before, Pod after) {
      if (facts(before).equals(facts(after)) && podIps(before).equals(podIps(after))) {
        return;
      }
      Set<String> touched = affected(before);
      touched.addAll(affected(after));
      recompute(touched);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      recompute(affected(pod));
    }

    private Set<String> affected(Pod pod) {
      Set<String> touched = servicesOfSlices(BY_POD, List.of(Cache.metaNamespaceKeyFunc(pod)));
      touched.addAll(servicesOfSlices(BY_IP, podIps(pod)));
      return touched;
    }
  }

  /** Nodes matter only through their locality labels. */
  private final class NodeHandler implements ResourceEventHandler<Node> {
    @Override
    public void onAdd(Node node) {
      recompute(servicesOfSlices(BY_NODE, List.of(node.getMetadata().getName())));
    }

    @Override
    public void onUpdate(Node before, Node after) {
      if (KubernetesServices.locality(before.getMetadata().getLabels())
          .equals(KubernetesServices.locality(after.getMetadata().getLabels()))) {
        return;
      }
      onAdd(after);
    }

    @Override
    public void onDelete(Node node, boolean finalStateUnknown) {
      onAdd(node);
    }
  }

  /** A namespace entering or leaving the selection adds or removes all its services. */
  private final class NamespaceHandler implements ResourceEventHandler<Namespace> {
    @Override
    public void onAdd(Namespace ns) {
      recompute(
          services.byIndex(Cache.NAMESPACE_INDEX, ns.getMetadata().getName()).stream()
              .map(Cache::metaNamespaceKeyFunc)
              .toList());
    }

    @Override
    public void onUpdate(Namespace before, Namespace after) {}

    @Override
    public void onDelete(Namespace ns, boolean finalStateUnknown) {
      onAdd(ns);
    }
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public synchronized List<MeshService> services() {
    return current.values().stream()
        .sorted(java.util.Comparator.comparing(MeshService::hostname))
        .toList();
  }

  /** Stale while the API server is unreachable; the last watch error while it is. */
  @Override
  public SourceStatus status() {
    return new SourceStatus(
        name,
        "kubernetes",
        synced,
        health.stale(),
        connectionErrors(client, synced, health),
        health.lastSync());
  }

  /** The error to report while the API server cannot be reached. */
  static List<ConfigError> connectionErrors(
      KubernetesClient client, boolean synced, WatchHealth health) {
    String error = health.lastError();
    if (!health.stale() && (synced || error.isEmpty())) {
      return List.of();
    }
    return List.of(
        new ConfigError(
            new SourceLocation(String.valueOf(client.getMasterUrl()), 0, 0),
            "",
            "API server unreachable" + (error.isEmpty() ? "" : ": " + error)));
  }

  @Override
  public void close() {
    health.close();
    stopInformers();
    if (ownsClient) {
      client.close();
    }
  }

  private void stopInformers() {
    for (Watched<?> w : java.util.Arrays.asList(services, slices, pods, nodes)) {
      if (w != null) {
        w.close();
      }
    }
    selectedNamespaces.ifPresent(Watched::close);
  }
}
