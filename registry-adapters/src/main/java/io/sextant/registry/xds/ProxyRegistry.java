package io.sextant.registry.xds;

import io.sextant.model.Endpoint;
import io.sextant.model.MeshService;
import io.sextant.model.Service;
import io.sextant.registry.RegistryListener;
import io.sextant.registry.ServiceDiff;
import io.sextant.registry.ServiceRegistry;
import io.sextant.registry.SourceStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services registered by the proxies themselves (registry type {@code xds}): a connected proxy that
 * declares its service in its node metadata is an endpoint of that service while its ADS stream is
 * open, and for a grace period after the stream closes (so a proxy that reconnects, or a control
 * plane restart, does not flap the endpoint). The open stream is the health check.
 *
 * <p>Several proxies of one host add up; the service definition (ports, namespace) comes from the
 * proxy with the smallest id, and a proxy that disagrees is logged.
 */
public final class ProxyRegistry implements ServiceRegistry {
  private static final Logger log = LoggerFactory.getLogger(ProxyRegistry.class);

  private final String name;
  private final Duration gracePeriod;
  private final ScheduledExecutorService timer;

  // Guarded by this.
  private RegistryListener listener;
  private final Map<String, MeshService> byProxy = new TreeMap<>();
  private final Map<String, ScheduledFuture<?>> leaving = new HashMap<>();
  private final Map<String, MeshService> emitted = new TreeMap<>();

  public ProxyRegistry(String name, Duration gracePeriod) {
    this.name = Objects.requireNonNull(name, "name");
    this.gracePeriod = Objects.requireNonNull(gracePeriod, "gracePeriod");
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sextant-xds-registry-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void start(RegistryListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Proxy {@code proxyId} is connected and serves {@code service}: its hostname, ports and this
   * proxy's endpoints (their origin is set to this registry).
   */
  public synchronized void register(String proxyId, MeshService service) {
    ScheduledFuture<?> pending = leaving.remove(proxyId);
    if (pending != null) {
      pending.cancel(false);
    }
    MeshService own =
        new MeshService(
            service.service(), service.endpoints().stream().map(e -> e.withOrigin(name)).toList());
    MeshService before = byProxy.put(proxyId, own);
    if (before == null) {
      log.info(
          "{}: proxy {} registered as {} at {}",
          name,
          proxyId,
          service.hostname(),
          own.endpoints().stream().map(e -> e.address() + ":" + e.port()).distinct().toList());
    }
    if (before != null && !before.hostname().equals(own.hostname())) {
      publish(before.hostname());
    }
    publish(own.hostname());
  }

  /** Proxy {@code proxyId} has no open stream any more: its endpoints go after the grace period. */
  public synchronized void unregister(String proxyId) {
    if (!byProxy.containsKey(proxyId) || leaving.containsKey(proxyId)) {
      return;
    }
    leaving.put(
        proxyId,
        timer.schedule(() -> remove(proxyId), gracePeriod.toMillis(), TimeUnit.MILLISECONDS));
  }

  private synchronized void remove(String proxyId) {
    leaving.remove(proxyId);
    MeshService gone = byProxy.remove(proxyId);
    if (gone != null) {
      log.info(
          "{}: proxy {} deregistered from {} ({} after its stream closed)",
          name,
          proxyId,
          gone.hostname(),
          gracePeriod);
      publish(gone.hostname());
    }
  }

  private void publish(String hostname) {
    Service definition = null;
    String definedBy = null;
    List<Endpoint> endpoints = new ArrayList<>();
    for (Map.Entry<String, MeshService> e : byProxy.entrySet()) {
      MeshService s = e.getValue();
      if (!s.hostname().equals(hostname)) {
        continue;
      }
      if (definition == null) {
        definition = s.service();
        definedBy = e.getKey();
      } else if (!definition.ports().equals(s.service().ports())) {
        log.warn(
            "{}: proxy {} declares ports {} for {}, but proxy {} (kept) declared {}",
            name,
            e.getKey(),
            s.service().ports(),
            hostname,
            definedBy,
            definition.ports());
      }
      for (Endpoint endpoint : s.endpoints()) {
        if (definition.port(endpoint.servicePort()).isPresent()) {
          endpoints.add(endpoint);
        }
      }
    }
    MeshService after = definition == null ? null : new MeshService(definition, endpoints);
    ServiceDiff.change(hostname, emitted.get(hostname), after, name)
        .ifPresent(
            event -> {
              if (after == null) {
                emitted.remove(hostname);
              } else {
                emitted.put(hostname, after);
              }
              if (listener != null) {
                listener.onEvent(event);
              }
            });
  }

  /** Always synced: there is nothing to wait for, proxies register as they connect. */
  @Override
  public boolean hasSynced() {
    return true;
  }

  @Override
  public synchronized List<MeshService> services() {
    return List.copyOf(emitted.values());
  }

  @Override
  public SourceStatus status() {
    return new SourceStatus(name, "xds", true, false, List.of());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
