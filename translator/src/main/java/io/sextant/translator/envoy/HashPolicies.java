package io.sextant.translator.envoy;

import io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy;
import io.sextant.config.networking.LoadBalancer.HashKey;

/** Builds a route's hash policy from the key of a DestinationRule's consistent hash. */
public final class HashPolicies {
  private HashPolicies() {}

  public static HashPolicy of(HashKey key) {
    HashPolicy.Builder h = HashPolicy.newBuilder();
    if (key instanceof HashKey.Header header) {
      h.setHeader(HashPolicy.Header.newBuilder().setHeaderName(header.name()));
    } else if (key instanceof HashKey.Cookie cookie) {
      HashPolicy.Cookie.Builder c = HashPolicy.Cookie.newBuilder().setName(cookie.name());
      if (!cookie.path().isEmpty()) {
        c.setPath(cookie.path());
      }
      cookie.ttl().ifPresent(t -> c.setTtl(ProtoDurations.of(t)));
      h.setCookie(c);
    } else if (key instanceof HashKey.SourceIp) {
      h.setConnectionProperties(HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
    } else if (key instanceof HashKey.QueryParameter q) {
      h.setQueryParameter(HashPolicy.QueryParameter.newBuilder().setName(q.name()));
    }
    return h.build();
  }
}
