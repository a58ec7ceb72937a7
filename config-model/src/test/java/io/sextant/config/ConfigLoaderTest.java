package io.sextant.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.networking.Destination;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.HttpRoute;
import io.sextant.config.networking.Mirror;
import io.sextant.config.networking.ServiceEntry;
import io.sextant.config.networking.StringMatch;
import io.sextant.config.networking.VirtualService;
import io.sextant.model.Protocol;
import io.sextant.model.Resolution;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

  private static final String SERVICE_ENTRY =
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata:
        name: reviews
        namespace: shop
        labels: {team: books}
      spec:
        hosts: [reviews.shop.svc.cluster.local]
        addresses: [10.96.0.10]
        location: MESH_INTERNAL
        resolution: STATIC
        ports:
        - number: 9080
          name: http
          protocol: HTTP
          targetPort: 8080
        - number: 9090
          name: grpc-api
        endpoints:
        - address: 10.1.0.1
          labels: {version: v1}
          locality: eu-west/eu-west-1a
          weight: 3
        - address: 10.1.0.2
          ports: {http: 18080}
      """;

  @Test
  void serviceEntry_isReadWithEveryField() {
    LoadResult result = ConfigLoader.parse("se.yaml", SERVICE_ENTRY);

    assertThat(result.errors()).isEmpty();
    ServiceEntry se = (ServiceEntry) result.resources().get(0);
    assertThat(se.meta().qualifiedName()).isEqualTo("ServiceEntry shop/reviews");
    assertThat(se.meta().labels()).containsEntry("team", "books");
    assertThat(se.hosts()).containsExactly("reviews.shop.svc.cluster.local");
    assertThat(se.addresses()).containsExactly("10.96.0.10");
    assertThat(se.location()).isEqualTo(ServiceEntry.Location.MESH_INTERNAL);
    assertThat(se.resolution()).isEqualTo(Resolution.STATIC);
    assertThat(se.ports()).hasSize(2);
    assertThat(se.ports().get(0).targetPort()).isEqualTo(8080);
    // No protocol: taken from the port name, as Istio does for Kubernetes ports.
    assertThat(se.ports().get(1).protocol()).isEqualTo(Protocol.GRPC);
    assertThat(se.endpoints().get(0).locality()).isEqualTo("eu-west/eu-west-1a");
    assertThat(se.endpoints().get(0).weight()).isEqualTo(3);
    assertThat(se.endpoints().get(1).ports()).isEqualTo(Map.of("http", 18080));
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1", "v1beta1", "v1alpha3"})
  void everyServedApiVersion_isAccepted(String version) {
    String yaml = SERVICE_ENTRY.replace("networking.istio.io/v1", "networking.istio.io/" + version);

    assertThat(ConfigLoader.parse("se.yaml", yaml).ok()).isTrue();
  }

  @Test
  void virtualService_withWeightedSplit_isRead() {
    LoadResult result =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              gateways: [mesh]
              http:
              - name: v2-api
                match:
                - uri: {prefix: /api/v2}
                - uri: {exact: /v2}
                route:
                - destination: {host: reviews, subset: v2, port: {number: 9080}}
              - route:
                - destination: {host: reviews, subset: v1}
                  weight: 80
                - destination: {host: reviews, subset: v2}
                  weight: 20
            """);

    assertThat(result.errors()).isEmpty();
    VirtualService vs = (VirtualService) result.resources().get(0);
    assertThat(vs.meta().namespace()).isEqualTo("default");
    assertThat(vs.http()).hasSize(2);
    HttpRoute first = vs.http().get(0);
    assertThat(first.name()).isEqualTo("v2-api");
    assertThat(first.match())
        .extracting(m -> m.uri().orElseThrow())
        .containsExactly(new StringMatch.Prefix("/api/v2"), new StringMatch.Exact("/v2"));
    assertThat(first.route().get(0).destination().port()).isEqualTo(9080);
    assertThat(vs.http().get(1).route())
        .extracting(d -> d.destination().subset() + "=" + d.weight())
        .containsExactly("v1=80", "v2=20");
    assertThat(first.location().line()).isEqualTo(8);
  }

  @Test
  void destinationRule_subsetsAreRead() {
    LoadResult result =
        ConfigLoader.parse(
            "dr.yaml",
            """
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata: {name: reviews, namespace: shop}
            spec:
              host: reviews
              subsets:
              - name: v1
                labels: {version: v1}
              - name: v2
                labels: {version: v2}
            """);

    DestinationRule dr = (DestinationRule) result.resources().get(0);
    assertThat(dr.subsets())
        .extracting(s -> s.name() + ":" + s.labels())
        .containsExactly("v1:{version=v1}", "v2:{version=v2}");
  }

  @Test
  void multipleDocuments_areAllLoaded_andEmptyDocumentsSkipped() {
    String yaml =
        SERVICE_ENTRY + "---\n---\n" + SERVICE_ENTRY.replace("name: reviews", "name: other");

    LoadResult result = ConfigLoader.parse("multi.yaml", yaml);

    assertThat(result.errors()).isEmpty();
    assertThat(result.resources())
        .extracting(r -> r.meta().name())
        .containsExactly("reviews", "other");
    assertThat(result.resources().get(1).meta().location().line()).isEqualTo(28);
  }

  @Test
  void unknownField_isAnError_withLineColumnPathAndTheFieldsExpected() {
    String yaml =
        SERVICE_ENTRY.replace("  resolution: STATIC", "  resolutoin: STATIC\n  resolution: STATIC");

    List<ConfigError> errors = ConfigLoader.parse("se.yaml", yaml).errors();

    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).toString())
        .startsWith(
            "se.yaml:11:3: spec.resolutoin: unknown field 'resolutoin' (did you mean 'resolution'?)")
        .contains("expected one of: hosts, addresses, ports, location, resolution, endpoints");
  }

  @Test
  void oneBadDocument_rejectsTheWholeFile() {
    String yaml = SERVICE_ENTRY + "---\n" + SERVICE_ENTRY.replace("number: 9080", "number: http");

    LoadResult result = ConfigLoader.parse("se.yaml", yaml);

    assertThat(result.resources()).isEmpty();
    assertThat(result.errors())
        .extracting(ConfigError::toString)
        .startsWith("se.yaml:39:13: spec.ports[0].number: expected an integer, got 'http'");
  }

  @Test
  void yamlSyntaxError_isLocated() {
    LoadResult result =
        ConfigLoader.parse(
            "broken.yaml", "apiVersion: networking.istio.io/v1\nkind: [ServiceEntry\n");

    assertThat(result.ok()).isFalse();
    assertThat(result.errors().get(0).toString()).startsWith("broken.yaml:3:1: invalid YAML:");
  }

  @Test
  void duplicateKey_isAnError() {
    String yaml =
        SERVICE_ENTRY.replace(
            "  location: MESH_INTERNAL", "  location: MESH_INTERNAL\n  location: MESH_EXTERNAL");

    List<ConfigError> errors = ConfigLoader.parse("se.yaml", yaml).errors();

    assertThat(errors).extracting(ConfigError::toString).anyMatch(e -> e.contains("duplicate key"));
  }

  @Test
  void missingRequiredFields_areNamed() {
    LoadResult result =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {namespace: shop}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {subset: v1}
            """);

    assertThat(result.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "vs.yaml:3:11: metadata.name: missing required field 'name'",
            "vs.yaml:8:20: spec.http[0].route[0].destination.host: missing required field 'host'");
  }

  @Test
  void istioFieldsNotImplementedYet_areRejectedByName() {
    LoadResult result =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
                delegate: {name: x}
            """);

    assertThat(result.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "vs.yaml:9:15: spec.http[0].delegate: field 'delegate' is valid in Istio but not supported by Sextant yet");
  }

  @Test
  void httpMatchConditions_areRead() {
    LoadResult result =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - match:
                - uri: {regex: "/ratings/[0-9]+"}
                  ignoreUriCase: true
                  method: {exact: GET}
                  authority: {prefix: reviews}
                  headers:
                    end-user: {exact: jason}
                    x-canary: {}
                  queryParams:
                    debug: {regex: "[01]"}
                  port: 9080
                route:
                - destination: {host: reviews}
            """);

    assertThat(result.errors()).isEmpty();
    var match = ((VirtualService) result.resources().get(0)).http().get(0).match().get(0);
    assertThat(match.uri()).contains(new StringMatch.Regex("/ratings/[0-9]+"));
    assertThat(match.ignoreUriCase()).isTrue();
    assertThat(match.method()).contains(new StringMatch.Exact("GET"));
    assertThat(match.authority()).contains(new StringMatch.Prefix("reviews"));
    assertThat(match.headers())
        .containsEntry("end-user", java.util.Optional.of(new StringMatch.Exact("jason")))
        .containsEntry("x-canary", java.util.Optional.empty());
    assertThat(match.queryParams())
        .containsEntry("debug", java.util.Optional.of(new StringMatch.Regex("[01]")));
    assertThat(match.port()).isEqualTo(9080);
  }

  @Test
  void badMatchConditions_areLocatedErrors() {
    LoadResult result =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - match:
                - uri: {regex: "/(?=lookahead)"}
                  headers:
                    End-User: {exact: jason}
                  method: {}
                route:
                - destination: {host: reviews}
            """);

    assertThat(result.errors())
        .extracting(ConfigError::toString)
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("vs.yaml:8:")
                    .contains(
                        "spec.http[0].match[0].uri.regex: not a valid RE2 regular expression"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains(
                        "spec.http[0].match[0].headers.End-User: header names must be lower case"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains(
                        "spec.http[0].match[0].method: expected one of 'exact', 'prefix' or 'regex'"));
  }

  @Test
  void headersAndRewrite_areRead_andConflictingRewritesAreErrors() {
    LoadResult ok =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - rewrite: {uri: /api, authority: legacy}
                headers:
                  request: {set: {x-a: "1"}, add: {x-b: "2"}, remove: [x-c]}
                route:
                - destination: {host: reviews}
                  headers:
                    response: {set: {x-d: "4"}}
            """);
    assertThat(ok.errors()).isEmpty();
    HttpRoute route = ((VirtualService) ok.resources().get(0)).http().get(0);
    assertThat(route.rewrite().orElseThrow().uri()).contains("/api");
    assertThat(route.rewrite().orElseThrow().authority()).contains("legacy");
    assertThat(route.headers().request().set()).containsEntry("x-a", "1");
    assertThat(route.headers().request().add()).containsEntry("x-b", "2");
    assertThat(route.headers().request().remove()).containsExactly("x-c");
    assertThat(route.route().get(0).headers().response().set()).containsEntry("x-d", "4");

    LoadResult bad =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - rewrite:
                  uri: /api
                  uriRegexRewrite: {match: "(?<=x)", rewrite: y}
                route:
                - destination: {host: reviews}
            """);
    assertThat(bad.errors())
        .extracting(ConfigError::toString)
        .anySatisfy(e -> assertThat(e).contains("rewrite.uriRegexRewrite.match: not a valid RE2"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains(
                        "rewrite.uriRegexRewrite: set only one of 'uri' and 'uriRegexRewrite'"));
  }

  @Test
  void redirectAndDirectResponse_replaceTheRoute_andOnlyOneOfTheThreeIsAllowed() {
    LoadResult ok =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - redirect: {uri: /new, redirectCode: 302}
              - directResponse: {status: 503, body: {string: down}}
            """);
    assertThat(ok.errors()).isEmpty();
    List<HttpRoute> http = ((VirtualService) ok.resources().get(0)).http();
    assertThat(http.get(0).answer())
        .contains(
            new io.sextant.config.networking.Answer.Redirect(
                java.util.Optional.of("/new"),
                java.util.Optional.empty(),
                0,
                java.util.Optional.empty(),
                302));
    assertThat(http.get(1).answer())
        .contains(
            new io.sextant.config.networking.Answer.Direct(503, java.util.Optional.of("down")));

    LoadResult bad =
        ConfigLoader.parse(
            "vs.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - redirect: {uri: /new, redirectCode: 305}
                route:
                - destination: {host: reviews}
            """);
    assertThat(bad.errors())
        .extracting(ConfigError::toString)
        .anySatisfy(
            e -> assertThat(e).contains("set only one of 'route', 'redirect' and 'directResponse'"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains("redirectCode: expected 301, 302, 303, 307 or 308, got 305"));
  }

  /** A VirtualService whose one route has {@code timeout: TEXT}. */
  private static LoadResult routeWithTimeout(String text) {
    return routeWith("timeout: " + text);
  }

  /**
   * A VirtualService whose one route to {@code reviews} also has {@code fields} (YAML lines at the
   * route's indentation); the first of them is on line 7.
   */
  private static LoadResult routeWith(String fields) {
    return ConfigLoader.parse(
        "vs.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - %s
            route:
            - destination: {host: reviews}
        """
            .formatted(fields.strip().replace("\n", "\n    ")));
  }

  @Test
  void exportTo_acceptsDotStarAndNamespaces_andRejectsTheRest() {
    String vs =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          exportTo: %s
          http:
          - route:
            - destination: {host: reviews}
        """;
    LoadResult good = ConfigLoader.parse("vs.yaml", vs.formatted("[., '*', team-a]"));
    assertThat(good.errors()).isEmpty();
    VirtualService read = (VirtualService) good.resources().get(0);
    assertThat(read.exportTo()).containsExactly(".", "*", "team-a");

    LoadResult bad = ConfigLoader.parse("vs.yaml", vs.formatted("[Team_A]"));
    assertThat(bad.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "vs.yaml:6:13: spec.exportTo: expected '.', '*' or a namespace name, got 'Team_A'");
  }

  @Test
  void retriesAndMirrors_areRead() {
    LoadResult r =
        routeWith(
            """
            retries: {attempts: 3, perTryTimeout: 2s, retryOn: "503,gateway-error,unavailable"}
            mirror: {host: reviews, subset: v2}
            mirrorPercentage: {value: 12.5}
            """);
    assertThat(r.errors()).isEmpty();
    var route = ((VirtualService) r.resources().get(0)).http().get(0);
    var retries = route.retries().orElseThrow();
    assertThat(retries.attempts()).isEqualTo(3);
    assertThat(retries.perTryTimeout()).contains(java.time.Duration.ofSeconds(2));
    assertThat(retries.retryOn())
        .containsExactly("gateway-error", "unavailable", "retriable-status-codes");
    assertThat(retries.statusCodes()).containsExactly(503);
    assertThat(route.mirrors())
        .containsExactly(new Mirror(new Destination("reviews", "v2", 0), 12.5));

    var many =
        routeWith(
            """
            mirrors:
            - destination: {host: shadow}
            - destination: {host: audit}
              percentage: {value: 0.5}
            """);
    assertThat(many.errors()).isEmpty();
    assertThat(((VirtualService) many.resources().get(0)).http().get(0).mirrors())
        .extracting(Mirror::percent)
        .containsExactly(100.0, 0.5);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "retries: {attempts: 2, retryOn: '5xx,sometimes'}"
            + " | vs.yaml:7:37: spec.http[0].retries.retryOn: 'sometimes' is not a retry condition",
        "retries: {attempts: 2, retryOn: '700'}"
            + " | vs.yaml:7:37: spec.http[0].retries.retryOn: '700' is not an HTTP status code",
        "retries: {attempts: -1}"
            + " | vs.yaml:7:25: spec.http[0].retries.attempts: expected an integer from 0",
        "retries: {attempts: 2, perTryTimeout: 2}"
            + " | vs.yaml:7:43: spec.http[0].retries.perTryTimeout: expected a duration",
        "mirror: {host: shadow}\\nmirrorPercentage: {value: 150}"
            + " | vs.yaml:8:31: spec.http[0].mirrorPercentage.value: expected a number from 0 to"
            + " 100, got 150",
        "mirrorPercentage: {value: 5}"
            + " | vs.yaml:7:23: spec.http[0].mirrorPercentage: a mirror percentage needs 'mirror'",
        "mirror: {host: a}\\nmirrors: [{destination: {host: b}}]"
            + " | vs.yaml:8:14: spec.http[0].mirrors: set only one of 'mirror' and 'mirrors'",
      })
  void badRetriesAndMirrors_areLocatedErrors(String fields, String message) {
    LoadResult r = routeWith(fields.replace("\\n", "\n"));
    assertThat(r.errors())
        .extracting(ConfigError::toString)
        .anySatisfy(e -> assertThat(e).startsWith(message));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0.5s | 500",
        "250ms | 250",
        "1m30s | 90000",
        "2h | 7200000",
      })
  void routeTimeouts_readIstioAndGoDurations(String text, long millis) {
    LoadResult r = routeWithTimeout(text);
    assertThat(r.errors()).isEmpty();
    assertThat(((VirtualService) r.resources().get(0)).http().get(0).timeout())
        .contains(java.time.Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "5 | expected a duration such as 0.5s, 250ms or 1m30s, got '5'",
        "soon | expected a duration such as 0.5s, 250ms or 1m30s, got 'soon'",
        "0s | must be at least 1ms, got '0s'",
      })
  void badRouteTimeouts_areLocatedErrors(String text, String message) {
    LoadResult r = routeWithTimeout(text);
    assertThat(r.errors())
        .extracting(ConfigError::toString)
        .containsExactly("vs.yaml:7:14: spec.http[0].timeout: " + message);
  }

  @Test
  void kindsNotImplementedYet_areRejectedByName() {
    LoadResult result =
        ConfigLoader.parse(
            "gw.yaml",
            "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {}\n");

    assertThat(result.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "gw.yaml:2:7: kind: kind 'Gateway' is valid in Istio but not supported by Sextant yet");
  }

  @Test
  void unknownKindAndApiVersion_areErrors() {
    LoadResult result =
        ConfigLoader.parse(
            "x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {}\n");

    assertThat(result.errors().get(0).toString())
        .isEqualTo(
            "x.yaml:2:7: kind: unknown kind 'ConfigMap'; expected ServiceEntry, VirtualService, DestinationRule, Sidecar or RateLimit");
  }

  @Test
  void serviceEntry_semanticErrors_areReported() {
    LoadResult result =
        ConfigLoader.parse(
            "se.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: bad}
            spec:
              hosts: [Not_A_Host]
              ports:
              - {number: 80, name: web}
              - {number: 80, name: http, protocol: HTTPS}
              endpoints:
              - address: db.example.com
                ports: {nope: 1}
            """);

    assertThat(result.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "se.yaml:5:10: spec.hosts: hosts[0]: expected a DNS name, got 'Not_A_Host'",
            "se.yaml:7:5: spec.ports[0].protocol: missing 'protocol' and the name 'web' does not imply one;"
                + " set protocol to HTTP, HTTP2, GRPC or TCP (or name the port http-*, http2-*, grpc-* or tcp-*)",
            "se.yaml:8:40: spec.ports[1].protocol: protocol HTTPS is valid in Istio but not supported by"
                + " Sextant yet; use HTTP, HTTP2, GRPC or TCP",
            "se.yaml:5:3: spec.resolution: missing required field 'resolution': Sextant needs STATIC or DNS"
                + " (Istio's default, NONE, is not supported yet)",
            "se.yaml:10:14: spec.endpoints[0].address: expected an IP address for resolution STATIC, got"
                + " 'db.example.com'",
            "se.yaml:11:12: spec.endpoints[0].ports: port name 'nope' is not one of the ServiceEntry's"
                + " ports ()");
  }

  @Test
  void kubectlBookkeeping_isAccepted() {
    String yaml =
        SERVICE_ENTRY.replace(
                "  namespace: shop\n",
                "  namespace: shop\n  uid: 1234\n  resourceVersion: \"99\"\n  generation: 2\n")
            + "status: {observedGeneration: 2}\n";

    assertThat(ConfigLoader.parse("se.yaml", yaml).errors()).isEmpty();
  }

  @Test
  void wrongTypes_sayWhatWasExpected() {
    LoadResult result =
        ConfigLoader.parse(
            "dr.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: r}
            spec:
              host: [reviews]
              subsets: {name: v1}
            """);

    assertThat(result.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "dr.yaml:5:9: spec.host: expected a string, got a list",
            "dr.yaml:6:12: spec.subsets: expected a list, got a mapping");
  }
}
