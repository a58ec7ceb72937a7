package io.sextant.registry;

import io.sextant.config.ConfigError;
import io.sextant.model.Endpoint;
import io.sextant.model.MeshService;
import io.sextant.model.Service;
import io.sextant.model.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges several registries into one; list order is priority. A hostname known to several
 * registries is one service: its definition (namespace, labels, resolution, addresses) comes from
 * the first registry that has it, its ports are the union by number (and by name) with the first
 * registry winning a conflict, and its endpoints are the union, each keeping the origin its
 * registry gave it. An endpoint at the same address, port and service port as one taken from a
 * higher-priority registry is dropped.
 *
 * <p>Each registry also has a failover priority (0, the default, is the highest): its endpoints
 * carry it, and the translator turns it into EDS priorities, so a proxy sends traffic to a
 * lower-priority registry's endpoints only while no higher-priority one is healthy.
 *
 * <p>Every disagreement between registries about a service (a port's protocol or name, the
 * resolution, the namespace) is logged once, naming who won.
 *
 * <p>The merged service of each hostname is compared with the one emitted last, so events are
 * classified precisely ({@link ServiceEvent.Kind#ENDPOINTS_UPDATED} only when the service itself is
 * unchanged) and nothing is emitted when a change in one registry is hidden by another.
 */
public final class AggregateRegistry implements ServiceRegistry {
  private static final Logger log = LoggerFactory.getLogger(AggregateRegistry.class);

  private final List<ServiceRegistry> registries;
  private final List<Integer> failoverPriorities;
  // Guarded by this: what each registry, in config order, last reported, and what was emitted.
  private final List<Map<String, MeshService>> reported = new ArrayList<>();
  private final Map<String, MeshService> merged = new TreeMap<>();
  private final Map<String, List<String>> conflicts = new HashMap<>();
  private RegistryListener listener;

  /** Registries in config order, all of failover priority 0. */
  public AggregateRegistry(List<ServiceRegistry> registries) {
    this(registries, registries.stream().map(r -> 0).toList());
  }

  /**
   * @param registries in config order: the first that has a host defines it
   * @param failoverPriorities each registry's failover priority, 0 the highest
   */
  public AggregateRegistry(List<ServiceRegistry> registries, List<Integer> failoverPriorities) {
    this.registries = List.copyOf(registries);
    this.failoverPriorities = List.copyOf(failoverPriorities);
    if (this.failoverPriorities.size() != this.registries.size()) {
      throw new IllegalArgumentException("one failover priority per registry is needed");
    }
    for (int i = 0; i < this.registries.size(); i++) {
      reported.add(new HashMap<>());
    }
  }

  @Override
  public String name() {
    return "aggregate";
  }

  @Override
  public void start(RegistryListener listener) {
    synchronized (this) {
      this.listener = Objects.requireNonNull(listener, "listener");
    }
    // Children are started without holding the lock: a child may deliver its first events from
    // its own thread while its start() waits for them.
    for (int i = 0; i < registries.size(); i++) {
      int priority = i;
      registries.get(i).start(event -> onRegistryEvent(priority, event));
    }
  }

  private synchronized void onRegistryEvent(int priority, ServiceEvent event) {
    String hostname = event.hostname();
    Map<String, MeshService> services = reported.get(priority);
    event
        .service()
        .ifPresentOrElse(
            service -> services.put(hostname, service), () -> services.remove(hostname));
    MeshService after = merge(hostname);
    ServiceDiff.change(hostname, merged.get(hostname), after, event.registry())
        .ifPresent(
            change -> {
              if (after == null) {
                merged.remove(hostname);
              } else {
                merged.put(hostname, after);
              }
              listener.onEvent(change);
            });
  }

  /** The merged service of every registry that has {@code hostname}, or null if none has it. */
  private MeshService merge(String hostname) {
    Service definition = null;
    String definedBy = null;
    Map<Integer, ServicePort> ports = new LinkedHashMap<>();
    Map<Integer, String> portOwners = new HashMap<>();
    Set<String> portNames = new HashSet<>();
    List<Endpoint> endpoints = new ArrayList<>();
    Set<EndpointKey> taken = new HashSet<>();
    List<String> disagreements = new ArrayList<>();
    for (int r = 0; r < reported.size(); r++) {
      MeshService service = reported.get(r).get(hostname);
      if (service == null) {
        continue;
      }
      String registry = registries.get(r).name();
      if (definition == null) {
        definition = service.service();
        definedBy = registry;
      } else {
        disagreements.addAll(disagreements(definition, definedBy, service.service(), registry));
      }
      for (ServicePort port : service.service().ports()) {
        ServicePort kept = ports.get(port.number());
        if (kept == null && portNames.add(port.name())) {
          ports.put(port.number(), port);
          portOwners.put(port.number(), registry);
        } else if (kept == null) {
          disagreements.add(
              "port name '"
                  + port.name()
                  + "' from "
                  + registry
                  + " is already used; port "
                  + port.number()
                  + " of "
                  + registry
                  + " is left out");
        } else if (kept.protocol() != port.protocol() || !kept.name().equals(port.name())) {
          disagreements.add(
              "port "
                  + port.number()
                  + " is "
                  + describe(kept)
                  + " in "
                  + portOwners.get(port.number())
                  + " (kept) but "
                  + describe(port)
                  + " in "
                  + registry);
        }
      }
      int failover = failoverPriorities.get(r);
      // Duplicates are judged against higher-priority registries only; within one registry its
      // own endpoints stand as reported.
      List<EndpointKey> takenHere = new ArrayList<>();
      for (Endpoint endpoint : service.endpoints()) {
        EndpointKey key = EndpointKey.of(endpoint);
        // An endpoint of a port that lost a name conflict would serve a port the service lacks.
        if (!taken.contains(key) && ports.containsKey(endpoint.servicePort())) {
          endpoints.add(endpoint.withPriority(failover));
          takenHere.add(key);
        }
      }
      taken.addAll(takenHere);
    }
    logConflicts(hostname, disagreements);
    if (definition == null) {
      return null;
    }
    return new MeshService(
        new Service(
            definition.hostname(),
            definition.namespace(),
            List.copyOf(ports.values()),
            definition.labels(),
            definition.resolution(),
            definition.addresses()),
        endpoints);
  }

  private static List<String> disagreements(
      Service kept, String keptFrom, Service other, String otherFrom) {
    List<String> found = new ArrayList<>();
    if (kept.resolution() != other.resolution()) {
      found.add(
          "resolution is "
              + kept.resolution()
              + " in "
              + keptFrom
              + " (kept) but "
              + other.resolution()
              + " in "
              + otherFrom);
    }
    if (!kept.namespace().equals(other.namespace())) {
      found.add(
          "namespace is "
              + kept.namespace()
              + " in "
              + keptFrom
              + " (kept) but "
              + other.namespace()
              + " in "
              + otherFrom);
    }
    return found;
  }

  private static String describe(ServicePort p) {
    return p.protocol() + " '" + p.name() + "'";
  }

  /** Logs the disagreements about {@code hostname} that were not there at its last merge. */
  private void logConflicts(String hostname, List<String> now) {
    List<String> before = conflicts.getOrDefault(hostname, List.of());
    for (String c : now) {
      if (!before.contains(c)) {
        log.warn(
            "registries disagree about {}: {}; the first registry in config order wins",
            hostname,
            c);
      }
    }
    if (now.isEmpty()) {
      conflicts.remove(hostname);
    } else {
      conflicts.put(hostname, List.copyOf(now));
    }
  }

  private record EndpointKey(String address, int port, int servicePort) {
    static EndpointKey of(Endpoint endpoint) {
      return new EndpointKey(endpoint.address(), endpoint.port(), endpoint.servicePort());
    }
  }

  /** True once every registry has delivered its first complete state. */
  @Override
  public boolean hasSynced() {
    return registries.stream().allMatch(ServiceRegistry::hasSynced);
  }

  /** The merged services, in hostname order. */
  @Override
  public synchronized List<MeshService> services() {
    return List.copyOf(merged.values());
  }

  /** Synced when every registry is, stale when any is, with every registry's errors. */
  @Override
  public SourceStatus status() {
    List<SourceStatus> children = childStatuses();
    List<ConfigError> errors = children.stream().flatMap(s -> s.errors().stream()).toList();
    return new SourceStatus(
        name(),
        "aggregate",
        children.stream().allMatch(SourceStatus::synced),
        children.stream().anyMatch(SourceStatus::stale),
        errors);
  }

  /** The merged registries, in priority order. */
  public List<ServiceRegistry> registries() {
    return registries;
  }

  /** The status of each merged registry, in priority order. */
  public List<SourceStatus> childStatuses() {
    return registries.stream().map(ServiceRegistry::status).toList();
  }

  /** Closes every registry, even when closing one of them fails. */
  @Override
  public void close() {
    for (ServiceRegistry registry : registries) {
      try {
        registry.close();
      } catch (RuntimeException e) {
        log.warn("closing registry {} failed", registry.name(), e);
      }
    }
  }
}
