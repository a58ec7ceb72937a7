package io.sextant.translator;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.sextant.config.networking.Answer;
import io.sextant.config.networking.Destination;
import io.sextant.config.networking.HttpMatchRequest;
import io.sextant.config.networking.HttpRoute;
import io.sextant.config.networking.HttpRouteDestination;
import io.sextant.config.networking.Mirror;
import io.sextant.config.networking.RetryPolicy;
import io.sextant.config.networking.VirtualService;
import io.sextant.model.MeshService;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.Names;
import io.sextant.translator.envoy.Retries;
import io.sextant.translator.envoy.RouteMatches;
import io.sextant.translator.envoy.RouteRewrites;
import io.sextant.translator.envoy.Routes;
import io.sextant.translator.envoy.Routes.WeightedDestination;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Outbound HTTP routing: one route configuration per port, named by the port, holding one virtual
 * host {@code HOST:PORT} per HTTP service on that port. A service with a VirtualService gets its
 * routes; any other service gets a default route to its whole cluster. As in Istio, a
 * VirtualService's routes are the whole story: a request matching none of them gets a 404.
 */
final class ServiceRoutes {
  static final String NO_DESTINATION = "no such destination\n";
  static final String SHARE_MOVES = " (its share goes to the other destinations)";

  private ServiceRoutes() {}

  /**
   * Builds the route configuration of one port, or gives the one built earlier when nothing it
   * depends on has changed; see {@link MeshTranslation#after}.
   */
  interface PerPort {
    Optional<RouteConfiguration> get(int port, Supplier<Optional<RouteConfiguration>> build);
  }

  /**
   * The route configurations for {@code proxy}. Sidecars that intercept all traffic also get a
   * catch-all virtual host: passing requests for unknown hosts through, or, with {@code
   * registryOnly}, answering them 502 (Istio's {@code block_all}).
   */
  static List<RouteConfiguration> build(
      MeshIndex index,
      ProxyContext proxy,
      Set<String> clusters,
      boolean registryOnly,
      Diagnostics diagnostics,
      PerPort perPort,
      SharedVirtualHosts shared) {
    List<RouteConfiguration> configs = new ArrayList<>();
    for (int port : index.ports()) {
      perPort
          .get(port, () -> forPort(index, proxy, port, clusters, registryOnly, diagnostics, shared))
          .ifPresent(configs::add);
    }
    return configs;
  }

  /** The route configuration of {@code port}, if some HTTP service listens there. */
  private static Optional<RouteConfiguration> forPort(
      MeshIndex index,
      ProxyContext proxy,
      int port,
      Set<String> clusters,
      boolean registryOnly,
      Diagnostics diagnostics,
      SharedVirtualHosts shared) {
    PortDomains portDomains = shared.domains(index, port);
    List<Map.Entry<MeshService, ServicePort>> http = portDomains.services();
    if (http.isEmpty()) {
      return Optional.empty();
    }
    List<List<String>> domains = portDomains.forNamespace(proxy.namespace());
    List<VirtualHost> hosts = new ArrayList<>();
    for (int i = 0; i < http.size(); i++) {
      String host = http.get(i).getKey().hostname();
      List<VirtualService> rules = index.virtualServices(host, proxy.namespace());
      hosts.add(
          shared.get(
              index,
              clusters,
              proxy.kind(),
              host,
              port,
              rules,
              domains.get(i),
              diagnostics,
              names ->
                  HttpFilters.virtualHost(
                      Routes.virtualHost(
                          Names.hostPort(host, port),
                          names,
                          routes(index, host, rules, proxy, port, clusters, diagnostics)),
                      index,
                      host,
                      port,
                      proxy.kind(),
                      diagnostics)));
    }
    if (SidecarListeners.passesThrough(proxy) && registryOnly) {
      hosts.add(
          Routes.virtualHost(
              Names.BLOCK_ALL_VIRTUAL_HOST,
              List.of("*"),
              List.of(
                  Routes.respond(
                      Names.BLOCK_ALL_VIRTUAL_HOST,
                      Routes.prefix("/"),
                      502,
                      "not a service of the mesh\n"))));
    } else if (SidecarListeners.passesThrough(proxy)) {
      hosts.add(
          Routes.virtualHost(
              Names.ALLOW_ANY_VIRTUAL_HOST,
              List.of("*"),
              List.of(
                  Routes.forward(
                      Names.ALLOW_ANY_VIRTUAL_HOST,
                      Routes.prefix("/"),
                      List.of(new WeightedDestination(Names.PASSTHROUGH_CLUSTER, 1))))));
    }
    return Optional.of(Routes.routeConfiguration(Names.routeConfig(port), hosts));
  }

  /**
   * The routes of {@code host} on {@code port} as {@code proxy} sees them: those of the
   * VirtualServices it sees ({@code rules}), merged in order, or a default route.
   */
  private static List<Route> routes(
      MeshIndex index,
      String host,
      List<VirtualService> rules,
      ProxyContext proxy,
      int port,
      Set<String> clusters,
      Diagnostics diagnostics) {
    if (rules.stream().allMatch(vs -> vs.http().isEmpty())) {
      String cluster = Names.outboundCluster(port, host);
      if (!clusters.contains(cluster)) {
        return List.of(Routes.respond("default", Routes.prefix("/"), 503, NO_DESTINATION));
      }
      Route.Builder route =
          RouteHashing.apply(
              Routes.forward(
                  "default", Routes.prefix("/"), List.of(new WeightedDestination(cluster, 1))),
              index,
              proxy.kind(),
              diagnostics)
              .toBuilder();
      retries(route.getRouteBuilder(), Optional.empty());
      return List.of(route.build());
    }
    List<Route> routes = new ArrayList<>();
    for (VirtualService vs : rules) {
      routes.addAll(routes(index, vs, proxy, port, clusters, diagnostics));
    }
    return routes;
  }

  /** The HTTP routes of one VirtualService that apply to {@code port} and {@code proxy}. */
  private static List<Route> routes(
      MeshIndex index,
      VirtualService vs,
      ProxyContext proxy,
      int port,
      Set<String> clusters,
      Diagnostics diagnostics) {
    List<Route> routes = new ArrayList<>();
    for (HttpRoute http : vs.http()) {
      // A match on another port, or for other source workloads, does not apply here; a route
      // none of whose matches applies is not here at all.
      List<HttpMatchRequest> here =
          http.match().stream()
              .filter(m -> m.port() == 0 || m.port() == port)
              .filter(m -> m.appliesToSource(proxy.namespace(), proxy.labels()))
              .toList();
      if (!http.match().isEmpty() && here.isEmpty()) {
        continue;
      }
      List<RouteMatch> matches =
          here.isEmpty()
              ? List.of(Routes.prefix("/"))
              : here.stream().map(ServiceRoutes::match).toList();
      if (http.answer().isPresent()) {
        for (RouteMatch match : matches) {
          Route answer =
              http.answer().get() instanceof Answer.Redirect r
                  ? Routes.redirect(http.name(), match, r)
                  : Routes.respond(http.name(), match, (Answer.Direct) http.answer().get());
          routes.add(
              HttpFilters.route(withRouteLevel(answer, http), http, vs, proxy.kind(), diagnostics));
        }
        continue;
      }
      List<WeightedDestination> to = destinations(index, vs, http, port, clusters, diagnostics);
      List<RouteAction.RequestMirrorPolicy> mirrors =
          mirrors(index, vs, http, port, clusters, diagnostics);
      for (RouteMatch match : matches) {
        if (to.isEmpty()) {
          routes.add(Routes.respond(http.name(), match, 503, NO_DESTINATION));
          continue;
        }
        // Hashing first: with a consistent hash, retries must not avoid the hosts tried.
        Route.Builder route =
            RouteHashing.apply(
                withRouteLevel(Routes.forward(http.name(), match, to), http),
                index,
                proxy.kind(),
                diagnostics)
                .toBuilder();
        retries(route.getRouteBuilder(), http.retries());
        route.getRouteBuilder().addAllRequestMirrorPolicies(mirrors);
        routes.add(HttpFilters.route(route.build(), http, vs, proxy.kind(), diagnostics));
      }
    }
    return routes;
  }

  /** The route's own header operations and rewrite, on top of its destinations'. */
  private static Route withRouteLevel(Route route, HttpRoute http) {
    if (http.headers().isEmpty() && http.rewrite().isEmpty() && http.timeout().isEmpty()) {
      return route;
    }
    Route.Builder b = route.toBuilder();
    RouteRewrites.headers(b, http.headers());
    if (b.hasRoute()) {
      http.rewrite().ifPresent(r -> RouteRewrites.rewrite(b.getRouteBuilder(), r));
      http.timeout().ifPresent(t -> Routes.timeout(b.getRouteBuilder(), t));
    }
    return b.build();
  }

  /** The route's retry policy, or Istio's default when it has none; nothing for 0 attempts. */
  private static void retries(RouteAction.Builder action, Optional<RetryPolicy> retries) {
    Retries.policy(retries.orElse(RetryPolicy.ISTIO_DEFAULT), action.getHashPolicyCount() > 0)
        .ifPresent(action::setRetryPolicy);
  }

  /** Mirror policies for the route's mirrors whose cluster exists; the others are reported. */
  private static List<RouteAction.RequestMirrorPolicy> mirrors(
      MeshIndex index,
      VirtualService vs,
      HttpRoute http,
      int routePort,
      Set<String> clusters,
      Diagnostics diagnostics) {
    List<RouteAction.RequestMirrorPolicy> result = new ArrayList<>();
    for (Mirror m : http.mirrors()) {
      cluster(index, vs, m.destination(), routePort, clusters, diagnostics, http, "mirror")
          .ifPresent(cluster -> result.add(Routes.mirror(cluster, m.percent())));
    }
    return result;
  }

  private static RouteMatch match(HttpMatchRequest m) {
    return RouteMatches.of(m);
  }

  /**
   * The clusters a route sends to. Destinations that name no existing cluster (unknown host, port
   * or subset) are left out and reported; zero-weight shares are dropped. An empty result makes the
   * route answer 503, as Envoy would for a missing cluster.
   */
  private static List<WeightedDestination> destinations(
      MeshIndex index,
      VirtualService vs,
      HttpRoute http,
      int routePort,
      Set<String> clusters,
      Diagnostics diagnostics) {
    List<WeightedDestination> result = new ArrayList<>();
    boolean weighted = http.route().size() > 1;
    for (HttpRouteDestination d : http.route()) {
      if (weighted && d.weight() == 0) {
        continue;
      }
      Optional<String> cluster =
          cluster(
              index, vs, d.destination(), routePort, clusters, diagnostics, http, "destination");
      if (cluster.isEmpty()) {
        continue;
      }
      result.add(new WeightedDestination(cluster.get(), weighted ? d.weight() : 1, d.headers()));
    }
    if (result.size() == 1) {
      WeightedDestination only = result.get(0);
      return List.of(new WeightedDestination(only.cluster(), 1, only.headers()));
    }
    return result;
  }

  private static Optional<String> cluster(
      MeshIndex index,
      VirtualService vs,
      Destination dest,
      int routePort,
      Set<String> clusters,
      Diagnostics diagnostics,
      HttpRoute http,
      String role) {
    String shareMoves = role.equals("destination") && http.route().size() > 1 ? SHARE_MOVES : "";
    String host = index.qualify(dest.host(), vs.meta().namespace());
    Optional<MeshService> service = index.service(host);
    if (service.isEmpty()) {
      diagnostics.add(
          vs.meta(),
          "route at "
              + http.location()
              + ": "
              + role
              + " host "
              + host
              + index
                  .notImporting(host)
                  .map(sc -> " is not imported by " + sc.meta().qualifiedName())
                  .orElse(" is not a known service")
              + "; left out"
              + shareMoves);
      return Optional.empty();
    }
    List<ServicePort> ports = service.get().service().ports();
    int port;
    if (dest.port() != 0) {
      port = dest.port();
    } else if (ports.size() == 1) {
      port = ports.get(0).number();
    } else if (service.get().service().port(routePort).isPresent()) {
      port = routePort;
    } else {
      diagnostics.add(
          vs.meta(),
          "route at "
              + http.location()
              + ": "
              + role
              + " "
              + host
              + " has several ports; set "
              + role
              + ".port; left out");
      return Optional.empty();
    }
    String cluster = Names.outboundCluster(port, dest.subset(), host);
    if (!clusters.contains(cluster)) {
      diagnostics.add(
          vs.meta(),
          "route at "
              + http.location()
              + ": "
              + (role.equals("destination") ? "" : role + " ")
              + "cluster "
              + cluster
              + " does not exist; left out"
              + shareMoves);
      return Optional.empty();
    }
    return Optional.of(cluster);
  }
}
