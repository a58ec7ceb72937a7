package io.sextant.registry;

import io.sextant.model.MeshService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A registry whose services are set by code: tests and benchmarks drive the whole pipeline from it.
 * Events are delivered synchronously, on the caller's thread, to the listener given to {@link
 * #start}; services put before that are delivered by {@code start}.
 */
public final class MemoryRegistry implements ServiceRegistry {
  private final String name;
  private final Map<String, MeshService> services = new LinkedHashMap<>();
  private RegistryListener listener;
  private volatile boolean synced;

  public MemoryRegistry(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void start(RegistryListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (this.listener != null) {
      throw new IllegalStateException("registry " + name + " is already started");
    }
    this.listener = listener;
    services.forEach(
        (hostname, service) ->
            ServiceDiff.change(hostname, null, service, name).ifPresent(listener::onEvent));
    synced = true;
  }

  /**
   * Adds or replaces the service with {@code service}'s hostname. Every endpoint is recorded as
   * coming from this registry, whatever origin it carried. Putting an equal service again causes no
   * event.
   */
  public synchronized void put(MeshService service) {
    MeshService stamped =
        new MeshService(
            service.service(), service.endpoints().stream().map(e -> e.withOrigin(name)).toList());
    MeshService before = services.put(stamped.hostname(), stamped);
    deliver(stamped.hostname(), before, stamped);
  }

  /** Removes the service, if there is one. */
  public synchronized void remove(String hostname) {
    deliver(hostname, services.remove(hostname), null);
  }

  private void deliver(String hostname, MeshService before, MeshService after) {
    if (listener != null) {
      ServiceDiff.change(hostname, before, after, name).ifPresent(listener::onEvent);
    }
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public synchronized List<MeshService> services() {
    return List.copyOf(services.values());
  }

  @Override
  public SourceStatus status() {
    return new SourceStatus(name, "memory", synced, false, List.of());
  }

  /** Stops delivering events; the services stay readable. */
  @Override
  public synchronized void close() {
    listener = null;
  }
}
