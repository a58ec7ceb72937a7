package io.sextant.server.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
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
 * Watches every ADS stream: who is connected, what was sent, what was accepted or rejected. Logs
 * one line per connection change and one per NACK, and tells {@link ProxyGroups} when proxies come
 * and go.
 */
public final class ProxyTracker implements DiscoveryServerCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyTracker.class);

  /**
   * The stream whose request is being handled on this thread. java-control-plane runs the request
   * callbacks and then creates the watch on the same thread, so {@link XdsWatcher} can find the
   * stream a request belongs to here.
   */
  static final ThreadLocal<ProxyConnection> CURRENT = new ThreadLocal<>();

  private final Map<Long, ProxyConnection> streams = new ConcurrentHashMap<>();
  private final ProxyGroups groups;
  private final Metrics metrics;
  private final Clock clock;

  public ProxyTracker(ProxyGroups groups, Metrics metrics, Clock clock) {
    this.groups = groups;
    this.metrics = metrics;
    this.clock = clock;
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

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    ProxyConnection c = connection(streamId, false, request.getNode());
    CURRENT.set(c);
    Optional<XdsType> type = XdsType.of(request.getTypeUrl());
    if (type.isEmpty()) {
      return;
    }
    // In state-of-the-world xDS every request carries the version the proxy last accepted: an
    // ACK, a NACK (which keeps the old version), and the first request of a reconnecting proxy.
    if (!request.getVersionInfo().isEmpty()) {
      c.acked(type.get(), request.getVersionInfo());
    }
    if (request.hasErrorDetail() && !request.getResponseNonce().isEmpty()) {
      nack(c, type.get(), request.getResponseNonce(), request.getErrorDetail().getMessage());
    }
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    ProxyConnection c = connection(streamId, true, request.getNode());
    CURRENT.set(c);
    Optional<XdsType> type = XdsType.of(request.getTypeUrl());
    if (type.isEmpty() || request.getResponseNonce().isEmpty()) {
      return;
    }
    if (request.hasErrorDetail()) {
      nack(c, type.get(), request.getResponseNonce(), request.getErrorDetail().getMessage());
    } else {
      c.acked(type.get(), c.versionForNonce(type.get(), request.getResponseNonce()));
    }
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    sent(streamId, response.getTypeUrl(), response.getVersionInfo(), response.getNonce());
  }

  @Override
  public void onV3StreamDeltaResponse(
      long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    sent(streamId, response.getTypeUrl(), response.getSystemVersionInfo(), response.getNonce());
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streamId, "closed");
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId, "closed with error: " + error.getMessage());
  }

  private ProxyConnection connection(long streamId, boolean delta, Node node) {
    ProxyConnection c =
        streams.computeIfAbsent(streamId, id -> new ProxyConnection(id, delta, clock.instant()));
    if (c.identify(node)) {
      LOG.info(
          "proxy connected: id={} kind={} group={} stream={} protocol={}",
          c.proxy().id(),
          c.proxy().kind(),
          c.proxy().groupKey(),
          streamId,
          delta ? "delta" : "sotw");
      metrics.connectedProxies.incrementAndGet();
      groups.connected(streamId, c.proxy());
    }
    return c;
  }

  private void sent(long streamId, String typeUrl, String version, String nonce) {
    ProxyConnection c = streams.get(streamId);
    Optional<XdsType> type = XdsType.of(typeUrl);
    if (c == null || type.isEmpty()) {
      return;
    }
    c.sent(type.get(), version, nonce, clock.instant());
    metrics.responses(type.get()).incrementAndGet();
  }

  private void nack(ProxyConnection c, XdsType type, String nonce, String message) {
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

  private void closed(long streamId, String how) {
    ProxyConnection c = streams.remove(streamId);
    if (c != null && c.proxy() != null) {
      LOG.info("proxy disconnected: id={} stream={} {}", c.id(), streamId, how);
      metrics.connectedProxies.decrementAndGet();
      groups.disconnected(streamId, c.proxy());
    }
  }
}
