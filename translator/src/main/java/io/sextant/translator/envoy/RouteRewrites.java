package io.sextant.translator.envoy;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.sextant.config.networking.HeaderOperations;
import io.sextant.config.networking.Rewrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Istio's {@code headers} and {@code rewrite} on Envoy routes: header operations on the route or on
 * one weighted cluster, and path and authority rewrites on the route action.
 */
public final class RouteRewrites {
  private RouteRewrites() {}

  /** Adds {@code ops} to the route: {@code set} overwrites, {@code add} appends. */
  public static void headers(Route.Builder route, HeaderOperations ops) {
    route.addAllRequestHeadersToAdd(options(ops.request()));
    route.addAllRequestHeadersToRemove(ops.request().remove());
    route.addAllResponseHeadersToAdd(options(ops.response()));
    route.addAllResponseHeadersToRemove(ops.response().remove());
  }

  /** Adds {@code ops} to one weighted cluster: they apply to requests sent to it only. */
  public static void headers(WeightedCluster.ClusterWeight.Builder cluster, HeaderOperations ops) {
    cluster.addAllRequestHeadersToAdd(options(ops.request()));
    cluster.addAllRequestHeadersToRemove(ops.request().remove());
    cluster.addAllResponseHeadersToAdd(options(ops.response()));
    cluster.addAllResponseHeadersToRemove(ops.response().remove());
  }

  private static List<HeaderValueOption> options(HeaderOperations.Operations ops) {
    List<HeaderValueOption> options = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(ops.set()).entrySet()) {
      options.add(option(e, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
    }
    for (Map.Entry<String, String> e : new TreeMap<>(ops.add()).entrySet()) {
      options.add(option(e, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    }
    return options;
  }

  private static HeaderValueOption option(
      Map.Entry<String, String> header, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(header.getKey()).setValue(header.getValue()))
        .setAppendAction(action)
        .build();
  }

  /**
   * The rewrite on the route action: {@code uri} replaces the matched prefix, {@code
   * uriRegexRewrite} substitutes by RE2, {@code authority} replaces the Host header.
   */
  public static void rewrite(RouteAction.Builder action, Rewrite rewrite) {
    rewrite.uri().ifPresent(action::setPrefixRewrite);
    rewrite.authority().ifPresent(action::setHostRewriteLiteral);
    rewrite
        .uriRegex()
        .ifPresent(
            r ->
                action.setRegexRewrite(
                    RegexMatchAndSubstitute.newBuilder()
                        .setPattern(RegexMatcher.newBuilder().setRegex(r.match()))
                        .setSubstitution(r.rewrite())));
  }
}
