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
 * <p>The merged service of each hostname is compared with the one emitted last, so events are
 * classified precisely ({@link ServiceEvent.Kind#ENDPOINTS_UPDATED} only when the service itself is
 * unchanged) and nothing is emitted when a change in one registry is hidden by another.
 */
public final class AggregateRegistry implements ServiceRegistry {
  private static final Logger log = LoggerFactory.getLogger(AggregateRegistry.class);

  private final List<ServiceRegistry> registries;
  // Guarded by this: what each registry, by priority, last reported, and what was emitted.
  private final List<Map<String, MeshService>> reported = new ArrayList<>();
  private final Map<String, MeshService> merged = new TreeMap<>();
  private RegistryListener listener;

  public AggregateRegistry(List<ServiceRegistry> registries) {
    this.registries = List.copyOf(registries);
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
    Map<Integer, ServicePort> ports = new LinkedHashMap<>();
    Set<String> portNames = new HashSet<>();
    List<Endpoint> endpoints = new ArrayList<>();
    Set<EndpointKey> taken = new HashSet<>();
    for (Map<String, MeshService> services : reported) {
      MeshService service = services.get(hostname);
      if (service == null) {
        continue;
      }
      if (definition == null) {
        definition = service.service();
      }
      for (ServicePort port : service.service().ports()) {
        if (!ports.containsKey(port.number()) && portNames.add(port.name())) {
          ports.put(port.number(), port);
        }
      }
      // Duplicates are judged against higher-priority registries only; within one registry its
      // own endpoints stand as reported.
      List<EndpointKey> takenHere = new ArrayList<>();
      for (Endpoint endpoint : service.endpoints()) {
        EndpointKey key = EndpointKey.of(endpoint);
        // An endpoint of a port that lost a name conflict would serve a port the service lacks.
        if (!taken.contains(key) && ports.containsKey(endpoint.servicePort())) {
          endpoints.add(endpoint);
          takenHere.add(key);
        }
      }
      taken.addAll(takenHere);
    }
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
