package io.sextant.translator;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.sextant.config.networking.HttpRoute;
import io.sextant.translator.envoy.RouteMatches;
import java.util.Optional;

/**
 * Istio's {@code corsPolicy} on an HTTP route: {@code envoy.filters.http.cors}, empty in the
 * connection manager, with the route's policy as its per-route {@code CorsPolicy} (Envoy's
 * route-level {@code cors} field is deprecated). Sidecars only: grpc-java has no CORS filter, and
 * browsers do not speak gRPC to it anyway.
 */
final class CorsPolicies implements HttpFilterContributor {
  static final String FILTER = "envoy.filters.http.cors";

  @Override
  public Filter filter() {
    return new Filter(
        FILTER,
        Cors.getDefaultInstance(),
        Optional.of("grpc-java does not implement the CORS filter"));
  }

  @Override
  public String routeField() {
    return "corsPolicy";
  }

  @Override
  public Optional<Message> routeConfig(HttpRoute http) {
    return http.cors().map(CorsPolicies::policy);
  }

  static CorsPolicy policy(io.sextant.config.networking.CorsPolicy p) {
    CorsPolicy.Builder b = CorsPolicy.newBuilder();
    p.allowOrigins().forEach(o -> b.addAllowOriginStringMatch(RouteMatches.string(o)));
    b.setAllowMethods(String.join(",", p.allowMethods()));
    b.setAllowHeaders(String.join(",", p.allowHeaders()));
    b.setExposeHeaders(String.join(",", p.exposeHeaders()));
    p.maxAge().ifPresent(a -> b.setMaxAge(Long.toString(a.getSeconds())));
    p.allowCredentials().ifPresent(c -> b.setAllowCredentials(BoolValue.of(c)));
    p.unmatchedPreflights()
        .ifPresent(
            u ->
                b.setForwardNotMatchingPreflights(
                    BoolValue.of(
                        u == io.sextant.config.networking.CorsPolicy.UnmatchedPreflights.FORWARD)));
    return b.build();
  }
}
