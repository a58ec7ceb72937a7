package io.sextant.translator;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.sextant.config.networking.HttpRoute;
import io.sextant.config.networking.VirtualService;
import io.sextant.translator.envoy.Listeners;
import io.sextant.translator.envoy.Names;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP-filter features, in the order their filters run before the router:
 *
 * <ol>
 *   <li>CORS, so a preflight is answered before anything can delay, fail or count it;
 *   <li>fault injection, so an injected abort spends no rate-limit token;
 *   <li>local rate limiting.
 * </ol>
 *
 * Every outbound connection manager of a proxy kind that runs a filter carries it, disabled, as
 * Istio does for CORS and fault: adding the first rule then changes routes only, never listeners.
 */
final class HttpFilters {
  static final List<HttpFilterContributor> ALL =
      List.of(new CorsPolicies(), new FaultInjection(), new LocalRateLimits());

  private HttpFilters() {}

  /** The filters before the router in the outbound connection managers of {@code kind}. */
  static List<HttpFilter> connectionManagerFilters(ProxyKind kind) {
    return ALL.stream()
        .map(HttpFilterContributor::filter)
        .filter(f -> f.runsIn(kind))
        .map(f -> Listeners.httpFilter(f.name(), f.disabledConfig()))
        .toList();
  }

  /** {@code route}, built from {@code http}, with the per-filter configuration it asks for. */
  static Route route(
      Route route, HttpRoute http, VirtualService vs, ProxyKind kind, Diagnostics diagnostics) {
    Route.Builder b = null;
    for (HttpFilterContributor f : ALL) {
      Optional<com.google.protobuf.Message> config = f.routeConfig(http);
      if (config.isEmpty()) {
        continue;
      }
      if (!f.filter().runsIn(kind)) {
        diagnostics.add(
            kind,
            vs.meta(),
            "route at "
                + http.location()
                + ": "
                + f.routeField()
                + " is left out for "
                + kind
                + " proxies: "
                + f.filter().notForGrpc().orElseThrow());
        continue;
      }
      if (b == null) {
        b = route.toBuilder();
      }
      b.putTypedPerFilterConfig(f.filter().name(), Any.pack(config.get()));
    }
    return b == null ? route : b.build();
  }

  /** {@code vhost}, of service {@code host} on {@code port}, with per-filter configuration. */
  static VirtualHost virtualHost(
      VirtualHost vhost,
      MeshIndex index,
      String host,
      int port,
      ProxyKind kind,
      Diagnostics diagnostics) {
    VirtualHost.Builder b = null;
    for (HttpFilterContributor f : ALL) {
      Optional<HttpFilterContributor.VirtualHostConfig> config =
          f.virtualHostConfig(index, host, port, diagnostics);
      if (config.isEmpty()) {
        continue;
      }
      if (!f.filter().runsIn(kind)) {
        for (String rule : config.get().rules()) {
          diagnostics.add(
              kind,
              rule,
              "not applied to "
                  + Names.hostPort(host, port)
                  + " for "
                  + kind
                  + " proxies: "
                  + f.filter().notForGrpc().orElseThrow());
        }
        continue;
      }
      if (b == null) {
        b = vhost.toBuilder();
      }
      b.putTypedPerFilterConfig(f.filter().name(), Any.pack(config.get().config()));
    }
    return b == null ? vhost : b.build();
  }
}
