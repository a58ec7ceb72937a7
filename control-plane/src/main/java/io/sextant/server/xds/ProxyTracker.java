package io.sextant.server.xds;

import io.sextant.server.admin.Metrics;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is connected and what happened on each stream: what was sent, what was accepted or rejected.
 * Logs one line per connection change and one per NACK, counts responses and NACKs, and tells
 * {@link ProxyGroups} when proxies come and go.
 */
public final class ProxyTracker {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyTracker.class);

  private final Map<Long, ProxyConnection> streams = new ConcurrentHashMap<>();
  private final ProxyGroups groups;
  private final Metrics metrics;
  private final Clock clock;
  private volatile ProxyRegistrar registrar = new ProxyRegistrar(List.of(), "cluster.local");

  public ProxyTracker(ProxyGroups groups, Metrics metrics, Clock clock) {
    this.groups = groups;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Proxies that declare their service are registered through {@code r} while connected. */
  public void registerProxiesWith(ProxyRegistrar r) {
    this.registrar = r;
  }

  public Collection<ProxyConnection> connections() {
    return List.copyOf(streams.values());
  }

  /** The connection of proxy {@code id}; the newest stream if it has reconnected. */
  public Optional<ProxyConnection> find(String id) {
    return streams.values().stream()
        .filter(c -> c.id().equals(id))
        .max((a, b) -> Long.compare(a.streamId(), b.streamId()));
  }

  ProxyConnection opened(long streamId, boolean delta) {
    ProxyConnection c = new ProxyConnection(streamId, delta, clock.instant());
    streams.put(streamId, c);
    return c;
  }

  void identified(ProxyConnection c) {
    LOG.info(
        "proxy connected: id={} kind={} group={} stream={} protocol={}",
        c.proxy().id(),
        c.proxy().kind(),
        c.proxy().groupKey(),
        c.streamId(),
        c.delta() ? "delta" : "sotw");
    metrics.connectedProxies.incrementAndGet();
    groups.connected(c.streamId(), c.proxy());
    registrar.connected(c.streamId(), c.node());
  }

  /**
   * A request that reports the version the proxy holds: in state-of-the-world xDS every request
   * does (ACK, NACK, and a reconnecting proxy's first request).
   */
  void requested(ProxyConnection c, XdsType type, String versionHeld) {
    if (!versionHeld.isEmpty()) {
      c.acked(type, versionHeld);
    }
  }

  void nacked(ProxyConnection c, XdsType type, String nonce, String message) {
    String version = c.nacked(type, nonce, message);
    metrics.nacks(type).incrementAndGet();
    LOG.warn(
        "NACK: proxy={} type={} version={} nonce={} error={}",
        c.id(),
        type,
        version.isEmpty() ? "?" : version,
        nonce,
        message.replace('\n', ' '));
  }

  void sent(ProxyConnection c, XdsType type, String version, String nonce, int resources) {
    c.sent(type, version, nonce, clock.instant());
    metrics.responses(type).incrementAndGet();
    metrics.resourcesSent(type).add(resources);
  }

  void closed(ProxyConnection c, String how) {
    if (streams.remove(c.streamId()) != null && c.proxy() != null) {
      LOG.info("proxy disconnected: id={} stream={} {}", c.id(), c.streamId(), how);
      metrics.connectedProxies.decrementAndGet();
      groups.disconnected(c.streamId(), c.proxy());
      registrar.closed(c.streamId(), c.id());
    }
  }
}
