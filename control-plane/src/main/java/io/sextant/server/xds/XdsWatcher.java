package io.sextant.server.xds;

import com.google.common.collect.ImmutableSet;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Puts three fixes between java-control-plane's ADS server and its {@link SimpleCache}:
 *
 * <ol>
 *   <li><b>No NACK loop.</b> A NACK carries the last <em>accepted</em> version, which differs from
 *       the cache's, so the cache would re-send the rejected resources at once, forever. Here a
 *       NACK is presented as holding the rejected version: the watch stays open until the
 *       configuration actually changes.
 *   <li><b>Partial answers.</b> In ADS mode the cache answers nothing while any requested name is
 *       missing. A proxyless gRPC client that asks for one unknown {@code host:port} would then get
 *       no listeners at all; state-of-the-world xDS lets us answer with the names that exist.
 *   <li><b>Node only on the first request.</b> Clients may send {@code node} only once per stream;
 *       the cache needs it on every request to find the proxy's group.
 * </ol>
 */
final class XdsWatcher implements ConfigWatcher {
  private final SimpleCache<String> cache;

  XdsWatcher(SimpleCache<String> cache) {
    this.cache = cache;
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    ProxyConnection stream = ProxyTracker.CURRENT.get();
    DiscoveryRequest r = request.v3Request();
    Set<String> known = knownResourceNames;
    if (stream != null && (!r.hasNode() || r.hasErrorDetail())) {
      DiscoveryRequest.Builder b = r.toBuilder();
      if (!r.hasNode() && stream.node() != null) {
        b.setNode(stream.node());
      }
      Optional<XdsType> type = XdsType.of(r.getTypeUrl());
      if (r.hasErrorDetail() && type.isPresent()) {
        String rejected = stream.versionForNonce(type.get(), r.getResponseNonce());
        if (!rejected.isEmpty()) {
          b.setVersionInfo(rejected);
          known = ImmutableSet.copyOf(r.getResourceNamesList());
        }
      }
      request = XdsRequest.create(b.build());
    }
    return cache.createWatch(
        false, request, known, responseConsumer, hasClusterChanged, allowDefaultEmptyEdsUpdate);
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    ProxyConnection stream = ProxyTracker.CURRENT.get();
    DeltaDiscoveryRequest r = request.v3Request();
    if (stream != null && !r.hasNode() && stream.node() != null) {
      request = DeltaXdsRequest.create(r.toBuilder().setNode(stream.node()).build());
    }
    return cache.createDeltaWatch(
        request,
        requesterVersion,
        resourceVersions,
        pendingResources,
        isWildcard,
        responseConsumer,
        hasClusterChanged);
  }
}
