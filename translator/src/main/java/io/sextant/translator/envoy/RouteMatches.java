package io.sextant.translator.envoy;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.sextant.config.networking.HttpMatchRequest;
import io.sextant.config.networking.StringMatch;
import java.util.Map;
import java.util.Optional;

/** Builds Envoy route matches from Istio's {@code HTTPMatchRequest}. */
public final class RouteMatches {
  private RouteMatches() {}

  /**
   * The match: the path (exact, prefix or RE2 regex; {@code /} as prefix when none), case-blind
   * with {@code ignoreUriCase}; the method and authority as the {@code :method} and {@code
   * :authority} pseudo-headers; each header and query parameter, by value or by presence. (The port
   * of a match is applied by choosing which route configurations it goes into.)
   */
  public static RouteMatch of(HttpMatchRequest m) {
    RouteMatch.Builder b = RouteMatch.newBuilder();
    StringMatch uri = m.uri().orElse(new StringMatch.Prefix("/"));
    if (uri instanceof StringMatch.Exact e) {
      b.setPath(e.value());
    } else if (uri instanceof StringMatch.Prefix p) {
      b.setPrefix(p.value());
    } else {
      b.setSafeRegex(regex(uri.value()));
    }
    if (m.ignoreUriCase()) {
      b.setCaseSensitive(BoolValue.of(false));
    }
    m.method().ifPresent(s -> b.addHeaders(header(":method", Optional.of(s))));
    m.authority().ifPresent(s -> b.addHeaders(header(":authority", Optional.of(s))));
    for (Map.Entry<String, Optional<StringMatch>> h : m.headers().entrySet()) {
      b.addHeaders(header(h.getKey(), h.getValue()));
    }
    for (Map.Entry<String, Optional<StringMatch>> q : m.queryParams().entrySet()) {
      b.addQueryParameters(queryParameter(q.getKey(), q.getValue()));
    }
    return b.build();
  }

  /** A query parameter by value, or by presence when {@code value} is empty. */
  public static QueryParameterMatcher queryParameter(String name, Optional<StringMatch> value) {
    QueryParameterMatcher.Builder qm = QueryParameterMatcher.newBuilder().setName(name);
    if (value.isPresent()) {
      qm.setStringMatch(string(value.get()));
    } else {
      qm.setPresentMatch(true);
    }
    return qm.build();
  }

  /** A header (or pseudo-header) by value, or by presence when {@code value} is empty. */
  public static HeaderMatcher header(String name, Optional<StringMatch> value) {
    HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name);
    if (value.isEmpty()) {
      return h.setPresentMatch(true).build();
    }
    return h.setStringMatch(string(value.get())).build();
  }

  public static StringMatcher string(StringMatch s) {
    StringMatcher.Builder b = StringMatcher.newBuilder();
    if (s instanceof StringMatch.Exact) {
      b.setExact(s.value());
    } else if (s instanceof StringMatch.Prefix) {
      b.setPrefix(s.value());
    } else {
      b.setSafeRegex(regex(s.value()));
    }
    return b.build();
  }

  private static RegexMatcher regex(String re2) {
    return RegexMatcher.newBuilder().setRegex(re2).build();
  }
}
