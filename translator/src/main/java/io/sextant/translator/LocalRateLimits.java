package io.sextant.translator;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RateLimit.Action;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.LocalRateLimitDescriptor;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.TokenBucket;
import io.sextant.config.networking.HttpMatchRequest;
import io.sextant.config.networking.StringMatch;
import io.sextant.config.sextant.RateLimit;
import io.sextant.translator.envoy.Names;
import io.sextant.translator.envoy.ProtoDurations;
import io.sextant.translator.envoy.RouteMatches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sextant's {@code RateLimit}: {@code envoy.filters.http.local_ratelimit}, in the connection
 * manager without a token bucket (which leaves it off), enabled per virtual host of the limited
 * host. Each RateLimit is a descriptor with its own bucket, chosen by the filter's own {@code
 * rate_limits} actions: a generic key naming the rule, plus, when the rule has a {@code match},
 * header matches ({@code :path}, {@code :method}, {@code :authority}, headers) and query parameter
 * matches that must all hold. Requests no rule selects fall to a default bucket that never runs
 * dry. Sidecars only: grpc-java has no local rate limit filter.
 */
final class LocalRateLimits implements HttpFilterContributor {
  static final String FILTER = "envoy.filters.http.local_ratelimit";
  static final String STAT_PREFIX = "http_local_rate_limiter";
  static final String RULE_KEY = "sextant.io/ratelimit";
  static final String REQUEST_KEY = "sextant.io/request";
  static final String QUERY_KEY = "sextant.io/query";
  static final String MATCHED = "matched";
  static final long MIN_FILL_MILLIS = 50;

  private static final RuntimeFractionalPercent ALL =
      RuntimeFractionalPercent.newBuilder()
          .setDefaultValue(
              FractionalPercent.newBuilder()
                  .setNumerator(100)
                  .setDenominator(FractionalPercent.DenominatorType.HUNDRED))
          .build();

  @Override
  public Filter filter() {
    return new Filter(
        FILTER,
        LocalRateLimit.newBuilder().setStatPrefix(STAT_PREFIX).build(),
        Optional.of("grpc-java does not implement the local rate limit filter"));
  }

  @Override
  public Optional<VirtualHostConfig> virtualHostConfig(
      MeshIndex index, String host, int port, Diagnostics diagnostics) {
    List<RateLimit> limits =
        index.rateLimits(host).stream()
            .filter(l -> l.match().map(m -> m.port() == 0 || m.port() == port).orElse(true))
            .toList();
    if (limits.isEmpty()) {
      return Optional.empty();
    }
    RateLimit first = limits.get(0);
    LocalRateLimit.Builder b =
        LocalRateLimit.newBuilder()
            .setStatPrefix(STAT_PREFIX)
            .setStatus(HttpStatus.newBuilder().setCodeValue(first.statusCode()))
            .setFilterEnabled(ALL)
            .setFilterEnforced(ALL)
            .setAlwaysConsumeDefaultTokenBucket(BoolValue.of(false));
    long gcd = 0;
    long shortest = Long.MAX_VALUE;
    List<String> rules = new ArrayList<>();
    for (RateLimit limit : limits) {
      rules.add(Diagnostics.subject(limit.meta()));
      if (limit.statusCode() != first.statusCode()) {
        diagnostics.add(
            limit.meta(),
            "on "
                + Names.hostPort(host, port)
                + " limited requests get "
                + first.statusCode()
                + " as "
                + first.meta().qualifiedName()
                + " says; one status per host");
      }
      gcd = gcd(gcd, limit.fillInterval().toMillis());
      shortest = Math.min(shortest, limit.fillInterval().toMillis());
      LocalRateLimitDescriptor.Builder descriptor =
          LocalRateLimitDescriptor.newBuilder()
              .setTokenBucket(
                  bucket(limit.maxTokens(), limit.tokensPerFill(), limit.fillInterval()));
      io.envoyproxy.envoy.config.route.v3.RateLimit.Builder actions =
          io.envoyproxy.envoy.config.route.v3.RateLimit.newBuilder();
      String name = limit.meta().namespace() + "/" + limit.meta().name();
      descriptor.addEntries(entry(RULE_KEY, name));
      actions.addActions(
          Action.newBuilder()
              .setGenericKey(
                  Action.GenericKey.newBuilder()
                      .setDescriptorKey(RULE_KEY)
                      .setDescriptorValue(name)));
      if (limit.match().isPresent()) {
        HttpMatchRequest m = limit.match().get();
        List<HeaderMatcher> headers = headers(m);
        if (!headers.isEmpty()) {
          descriptor.addEntries(entry(REQUEST_KEY, MATCHED));
          actions.addActions(
              Action.newBuilder()
                  .setHeaderValueMatch(
                      Action.HeaderValueMatch.newBuilder()
                          .setDescriptorKey(REQUEST_KEY)
                          .setDescriptorValue(MATCHED)
                          .addAllHeaders(headers)));
        }
        if (!m.queryParams().isEmpty()) {
          Action.QueryParameterValueMatch.Builder q =
              Action.QueryParameterValueMatch.newBuilder()
                  .setDescriptorKey(QUERY_KEY)
                  .setDescriptorValue(MATCHED);
          for (Map.Entry<String, Optional<StringMatch>> e : m.queryParams().entrySet()) {
            q.addQueryParameters(RouteMatches.queryParameter(e.getKey(), e.getValue()));
          }
          descriptor.addEntries(entry(QUERY_KEY, MATCHED));
          actions.addActions(Action.newBuilder().setQueryParameterValueMatch(q));
        }
      }
      b.addDescriptors(descriptor).addRateLimits(actions);
    }
    // Requests that no rule selects use the default bucket, which never runs dry. Older Envoys
    // want every descriptor's fill interval to be a multiple of the default bucket's; every Envoy
    // wants at least 50ms (Envoy 1.40 accepts any interval, so the shortest one will do then).
    long interval = gcd >= MIN_FILL_MILLIS ? gcd : shortest;
    b.setTokenBucket(bucket(-1, -1, Duration.ofMillis(interval)));
    return Optional.of(new VirtualHostConfig(b.build(), rules));
  }

  /** What must hold of the request besides its query: path, method, authority and headers. */
  private static List<HeaderMatcher> headers(HttpMatchRequest m) {
    List<HeaderMatcher> headers = new ArrayList<>();
    m.uri().ifPresent(u -> headers.add(path(u, m.ignoreUriCase())));
    m.method().ifPresent(s -> headers.add(RouteMatches.header(":method", Optional.of(s))));
    m.authority().ifPresent(s -> headers.add(RouteMatches.header(":authority", Optional.of(s))));
    m.headers().forEach((name, value) -> headers.add(RouteMatches.header(name, value)));
    return headers;
  }

  /**
   * The {@code :path} header holds the query string too, which Istio's {@code uri} ignores: exact
   * and regex matches allow an optional query after the path.
   */
  static HeaderMatcher path(StringMatch uri, boolean ignoreCase) {
    StringMatcher.Builder s = StringMatcher.newBuilder();
    if (uri instanceof StringMatch.Prefix p) {
      s.setPrefix(p.value()).setIgnoreCase(ignoreCase);
    } else {
      String re = uri instanceof StringMatch.Exact e ? quote(e.value()) : "(?:" + uri.value() + ")";
      s.setSafeRegex(
          RegexMatcher.newBuilder().setRegex((ignoreCase ? "(?i)" : "") + re + "(?:\\?.*)?"));
    }
    return HeaderMatcher.newBuilder().setName(":path").setStringMatch(s).build();
  }

  /** {@code text} as an RE2 expression matching exactly it. */
  static String quote(String text) {
    StringBuilder sb = new StringBuilder();
    for (char c : text.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static RateLimitDescriptor.Entry entry(String key, String value) {
    return RateLimitDescriptor.Entry.newBuilder().setKey(key).setValue(value).build();
  }

  /** {@code -1} tokens is the largest uint32, as many as Envoy can count. */
  private static TokenBucket bucket(int maxTokens, int tokensPerFill, Duration fillInterval) {
    return TokenBucket.newBuilder()
        .setMaxTokens(maxTokens)
        .setTokensPerFill(UInt32Value.of(tokensPerFill))
        .setFillInterval(ProtoDurations.of(fillInterval))
        .build();
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
