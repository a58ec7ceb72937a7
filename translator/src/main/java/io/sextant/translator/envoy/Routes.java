package io.sextant.translator.envoy;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.sextant.config.networking.Answer;
import io.sextant.config.networking.HeaderOperations;
import java.util.List;

/** Builds route configurations, virtual hosts and routes. */
public final class Routes {
  /** Istio disables Envoy's 15 s default route timeout; so do we. */
  static final Duration NO_TIMEOUT = Duration.getDefaultInstance();

  private Routes() {}

  /**
   * A cluster and its relative share of a route's traffic, with header operations for the requests
   * sent to it.
   */
  public record WeightedDestination(String cluster, int weight, HeaderOperations headers) {
    public WeightedDestination(String cluster, int weight) {
      this(cluster, weight, HeaderOperations.NONE);
    }
  }

  public static RouteConfiguration routeConfiguration(String name, List<VirtualHost> virtualHosts) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addAllVirtualHosts(virtualHosts)
        .setValidateClusters(com.google.protobuf.BoolValue.of(false))
        .build();
  }

  public static VirtualHost virtualHost(String name, List<String> domains, List<Route> routes) {
    return VirtualHost.newBuilder()
        .setName(name)
        .addAllDomains(domains)
        .addAllRoutes(routes)
        .build();
  }

  public static RouteMatch prefix(String prefix) {
    return RouteMatch.newBuilder().setPrefix(prefix).build();
  }

  public static RouteMatch path(String path) {
    return RouteMatch.newBuilder().setPath(path).build();
  }

  /**
   * Sends everything matching {@code match} to one cluster, or splits it by weight. A single
   * destination's header operations go on the route; those of split destinations on their share.
   */
  public static Route forward(String name, RouteMatch match, List<WeightedDestination> to) {
    RouteAction.Builder action = RouteAction.newBuilder().setTimeout(NO_TIMEOUT);
    Route.Builder route = Route.newBuilder().setName(name).setMatch(match);
    if (to.size() == 1) {
      action.setCluster(to.get(0).cluster());
      RouteRewrites.headers(route, to.get(0).headers());
    } else {
      WeightedCluster.Builder split = WeightedCluster.newBuilder();
      for (WeightedDestination d : to) {
        WeightedCluster.ClusterWeight.Builder share =
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(d.cluster())
                .setWeight(UInt32Value.of(d.weight()));
        RouteRewrites.headers(share, d.headers());
        split.addClusters(share);
      }
      action.setWeightedClusters(split);
    }
    return route.setRoute(action).build();
  }

  /**
   * Limits how long a request may take: Envoy reads the route timeout, grpc-java the maximum stream
   * duration (also capping a gRPC client's own {@code grpc-timeout}), as Istio sets both.
   */
  public static void timeout(RouteAction.Builder action, java.time.Duration timeout) {
    Duration d = ProtoDurations.of(timeout);
    action.setTimeout(d);
    action.setMaxStreamDuration(
        RouteAction.MaxStreamDuration.newBuilder()
            .setMaxStreamDuration(d)
            .setGrpcTimeoutHeaderMax(d));
  }

  /**
   * Copies {@code percent} of the requests to {@code cluster}; Envoy adds {@code -shadow} to the
   * copy's authority and does not wait for its answer.
   */
  public static RouteAction.RequestMirrorPolicy mirror(String cluster, double percent) {
    return RouteAction.RequestMirrorPolicy.newBuilder()
        .setCluster(cluster)
        .setRuntimeFraction(
            RuntimeFractionalPercent.newBuilder()
                .setDefaultValue(
                    FractionalPercent.newBuilder()
                        // Per million, as Istio does, so fractions such as 0.5% survive.
                        .setNumerator((int) Math.round(percent * 10_000))
                        .setDenominator(FractionalPercent.DenominatorType.MILLION)))
        .build();
  }

  /** Answers with a redirect; parts left empty keep the request's. */
  public static Route redirect(String name, RouteMatch match, Answer.Redirect r) {
    RedirectAction.Builder redirect = RedirectAction.newBuilder();
    r.uri().ifPresent(redirect::setPathRedirect);
    r.authority().ifPresent(redirect::setHostRedirect);
    if (r.port() != 0) {
      redirect.setPortRedirect(r.port());
    }
    r.scheme().ifPresent(redirect::setSchemeRedirect);
    redirect.setResponseCode(
        switch (r.code()) {
          case 302 -> RedirectAction.RedirectResponseCode.FOUND;
          case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
          case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
          case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
          default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
        });
    return Route.newBuilder().setName(name).setMatch(match).setRedirect(redirect).build();
  }

  /** Answers directly with {@code status} and, if given, {@code body}. */
  public static Route respond(String name, RouteMatch match, Answer.Direct d) {
    DirectResponseAction.Builder action = DirectResponseAction.newBuilder().setStatus(d.status());
    d.body().ifPresent(b -> action.setBody(DataSource.newBuilder().setInlineString(b)));
    return Route.newBuilder().setName(name).setMatch(match).setDirectResponse(action).build();
  }

  /** Answers directly, without an upstream: used when a route's destinations do not exist. */
  public static Route respond(String name, RouteMatch match, int status, String body) {
    return Route.newBuilder()
        .setName(name)
        .setMatch(match)
        .setDirectResponse(
            DirectResponseAction.newBuilder()
                .setStatus(status)
                .setBody(DataSource.newBuilder().setInlineString(body)))
        .build();
  }
}
