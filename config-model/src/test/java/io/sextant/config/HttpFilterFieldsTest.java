package io.sextant.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.networking.CorsPolicy;
import io.sextant.config.networking.Fault;
import io.sextant.config.networking.HttpRoute;
import io.sextant.config.networking.StringMatch;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Fault injection, CORS policies and RateLimits as the loader reads them. */
class HttpFilterFieldsTest {

  /** A VirtualService whose only route has {@code fields} (indented for the route, line 8 on). */
  private static LoadResult route(String fields) {
    return ConfigLoader.parse("vs.yaml", routeText(fields));
  }

  private static String routeText(String fields) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings}
        spec:
          hosts: [ratings]
          http:
          - route: [{destination: {host: ratings}}]
        """
        + fields.indent(4);
  }

  private static HttpRoute onlyRoute(LoadResult r) {
    assertThat(r.errors()).isEmpty();
    return ((VirtualService) r.resources().get(0)).http().get(0);
  }

  @Test
  void fault_delayAndAbort_areRead_withPercentagesDefaultingTo100() {
    HttpRoute http =
        onlyRoute(
            route(
                """
                fault:
                  delay: {fixedDelay: 7s, percentage: {value: 0.5}}
                  abort: {grpcStatus: UNAVAILABLE}
                """));

    Fault fault = http.fault().orElseThrow();
    assertThat(fault.delay()).contains(new Fault.Delay(Duration.ofSeconds(7), 0.5));
    assertThat(fault.abort())
        .contains(new Fault.Abort(new Fault.GrpcStatus("UNAVAILABLE", 14), 100));
  }

  @Test
  void fault_deprecatedPercent_andHttpStatus_areRead() {
    HttpRoute http =
        onlyRoute(
            route(
                """
                fault:
                  delay: {fixedDelay: 250ms, percent: 10}
                  abort: {httpStatus: 503, percentage: {value: 50}}
                """));

    assertThat(http.fault().orElseThrow().delay())
        .contains(new Fault.Delay(Duration.ofMillis(250), 10));
    assertThat(http.fault().orElseThrow().abort())
        .contains(new Fault.Abort(new Fault.HttpStatus(503), 50));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{abort: {httpStatus: 500, percentage: {value: 120}}} | 120 | fault.abort.percentage.value"
            + " | expected a number from 0 to 100, got 120",
        "{delay: {fixedDelay: 1s, percentage: {value: -1}}} | -1 | fault.delay.percentage.value"
            + " | expected a number from 0 to 100, got -1",
        "{delay: {fixedDelay: 1s, percent: 101}} | 101 | fault.delay.percent"
            + " | expected an integer from 0 to 100, got 101",
        "{abort: {grpcStatus: Unavailable}} | Unavailable | fault.abort.grpcStatus"
            + " | expected a gRPC status name such as UNAVAILABLE",
        "{abort: {http2Error: PROTOCOL_ERROR}} | PROTOCOL_ERROR | fault.abort.http2Error"
            + " | field 'http2Error' is valid in Istio but not supported by Sextant",
        "{abort: {httpStatus: 600}} | 600 | fault.abort.httpStatus"
            + " | expected an integer from 200 to 599, got 600",
        "{abort: {httpStatus: 500, grpcStatus: INTERNAL}} | INTERNAL | fault.abort.grpcStatus"
            + " | set only one of 'httpStatus' and 'grpcStatus'",
        "{delay: {percent: 5}} | {percent | fault.delay.fixedDelay"
            + " | missing required field 'fixedDelay'",
        "{delay: {fixedDelay: 1s, exponentialDelay: 1s}} | 1s} | fault.delay.exponentialDelay"
            + " | field 'exponentialDelay' is valid in Istio but not supported by Sextant yet",
        "{} | {} | fault | set 'delay', 'abort' or both",
      })
  void badFaults_areLocatedErrors(String fault, String at, String path, String message) {
    assertOneError("vs.yaml", routeText("fault: " + fault), at, "spec.http[0]." + path, message);
  }

  /**
   * Loading {@code text} fails with one error, {@code message} about {@code path}, located where
   * {@code at} first appears in {@code text}.
   */
  private static void assertOneError(
      String file, String text, String at, String path, String message) {
    LoadResult r = ConfigLoader.parse(file, text);
    List<String> lines = text.lines().toList();
    int line = 0;
    while (line < lines.size() && !lines.get(line).contains(at)) {
      line++;
    }
    assertThat(line).as("%s appears in%n%s", at, text).isLessThan(lines.size());
    int column = lines.get(line).indexOf(at) + 1;
    assertThat(r.resources()).isEmpty();
    assertThat(r.errors()).hasSize(1);
    assertThat(r.errors().get(0).toString())
        .startsWith(file + ":" + (line + 1) + ":" + column + ": " + path + ": " + message);
  }

  @Test
  void corsPolicy_isRead_withDeprecatedAllowOriginAsExactMatches() {
    HttpRoute http =
        onlyRoute(
            route(
                """
                corsPolicy:
                  allowOrigins: [{exact: https://a.example.com}, {regex: 'https://.*\\.example\\.org'}]
                  allowOrigin: [https://old.example.com]
                  allowMethods: [GET, POST]
                  allowHeaders: [content-type]
                  exposeHeaders: [x-id]
                  maxAge: 24h
                  allowCredentials: true
                  unmatchedPreflights: IGNORE
                """));

    CorsPolicy cors = http.cors().orElseThrow();
    assertThat(cors.allowOrigins())
        .containsExactly(
            new StringMatch.Exact("https://a.example.com"),
            new StringMatch.Regex("https://.*\\.example\\.org"),
            new StringMatch.Exact("https://old.example.com"));
    assertThat(cors.allowMethods()).containsExactly("GET", "POST");
    assertThat(cors.allowHeaders()).containsExactly("content-type");
    assertThat(cors.exposeHeaders()).containsExactly("x-id");
    assertThat(cors.maxAge()).contains(Duration.ofHours(24));
    assertThat(cors.allowCredentials()).contains(true);
    assertThat(cors.unmatchedPreflights()).contains(CorsPolicy.UnmatchedPreflights.IGNORE);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{allowOrigins: [https://a.example.com]} | https | corsPolicy.allowOrigins[0]"
            + " | expected a mapping (key: value), got 'https://a.example.com'",
        "{maxAge: forever} | forever | corsPolicy.maxAge | expected a duration",
        "{unmatchedPreflights: DROP} | DROP | corsPolicy.unmatchedPreflights"
            + " | expected one of UNSPECIFIED, FORWARD, IGNORE, got 'DROP'",
        "{allowCredentials: maybe} | maybe | corsPolicy.allowCredentials"
            + " | expected true or false",
        "{allowOrigin: https://a.example.com} | https | corsPolicy.allowOrigin"
            + " | expected a list of strings",
      })
  void badCorsPolicies_areLocatedErrors(String cors, String at, String path, String message) {
    assertOneError(
        "vs.yaml", routeText("corsPolicy: " + cors), at, "spec.http[0]." + path, message);
  }

  private static final String RATE_LIMIT =
      """
      apiVersion: sextant.io/v1alpha1
      kind: RateLimit
      metadata: {name: reviews-limit, namespace: shop}
      spec:
        host: reviews
      """;

  @Test
  void rateLimit_isRead_withDefaults() {
    LoadResult r =
        ConfigLoader.parse("rl.yaml", RATE_LIMIT + "  tokensPerFill: 10\n  fillInterval: 1s\n");

    assertThat(r.errors()).isEmpty();
    RateLimit rl = (RateLimit) r.resources().get(0);
    assertThat(rl.meta().qualifiedName()).isEqualTo("RateLimit shop/reviews-limit");
    assertThat(rl.host()).isEqualTo("reviews");
    assertThat(rl.match()).isEmpty();
    assertThat(rl.tokensPerFill()).isEqualTo(10);
    assertThat(rl.maxTokens()).isEqualTo(10);
    assertThat(rl.fillInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(rl.statusCode()).isEqualTo(429);
  }

  @Test
  void rateLimit_withMatchMaxTokensAndStatus_isRead() {
    LoadResult r =
        ConfigLoader.parse(
            "rl.yaml",
            RATE_LIMIT
                + """
                  match: {uri: {prefix: /api}, method: {exact: GET}}
                  tokensPerFill: 5
                  fillInterval: 500ms
                  maxTokens: 20
                  statusCode: 503
                """);

    assertThat(r.errors()).isEmpty();
    RateLimit rl = (RateLimit) r.resources().get(0);
    assertThat(rl.match().orElseThrow().uri()).contains(new StringMatch.Prefix("/api"));
    assertThat(rl.match().orElseThrow().method())
        .isEqualTo(Optional.of(new StringMatch.Exact("GET")));
    assertThat(rl.maxTokens()).isEqualTo(20);
    assertThat(rl.fillInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(rl.statusCode()).isEqualTo(503);
  }

  /** Each {@code ;}-separated field of {@code fields} goes on its own line of the spec. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "tokensPerFill: 0;fillInterval: 1s | 0 | spec.tokensPerFill"
            + " | expected an integer from 1 to 2147483647, got 0",
        "tokensPerFill: 5;fillInterval: 10ms | 10ms | spec.fillInterval"
            + " | must be at least 50ms, got '10ms'",
        "tokensPerFill: 5 | host | spec.fillInterval | missing required field 'fillInterval'",
        "tokensPerFill: 5;fillInterval: 1s;maxTokens: 2 | 2 | spec.maxTokens"
            + " | must be at least tokensPerFill (5), got 2",
        "tokensPerFill: 5;fillInterval: 1s;statusCode: 200 | 200 | spec.statusCode"
            + " | expected an integer from 400 to 599, got 200",
        "tokensPerFill: 5;fillInterval: 1s;match: {sourceLabels: {app: a}} | {app | "
            + "spec.match.sourceLabels | field 'sourceLabels' is valid in Istio",
        "tokensPerFill: 5;fillInterval: 1s;burst: 3 | burst | spec.burst | unknown field 'burst'",
      })
  void badRateLimits_areLocatedErrors(String fields, String at, String path, String message) {
    String spec = String.join("\n", fields.split(";")).indent(2);
    assertOneError("rl.yaml", RATE_LIMIT + spec, at, path, message);
  }

  @Test
  void rateLimit_underAnIstioApiVersion_isAnError() {
    LoadResult r =
        ConfigLoader.parse(
            "rl.yaml",
            RATE_LIMIT.replace("sextant.io/v1alpha1", "networking.istio.io/v1")
                + "  tokensPerFill: 1\n  fillInterval: 1s\n");

    assertThat(r.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "rl.yaml:1:13: apiVersion: expected sextant.io/v1alpha1 for RateLimit, got"
                + " 'networking.istio.io/v1'");
  }
}
