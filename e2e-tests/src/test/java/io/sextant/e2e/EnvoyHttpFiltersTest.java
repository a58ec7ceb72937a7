package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sextant.e2e.MeshDirectory.Instance;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * CORS and local rate limiting through a real Envoy sidecar ({@code INTERCEPTION_MODE: NONE}) in
 * front of a real HTTP backend: Envoy answers preflights from allowed origins itself, and answers
 * 429 once a RateLimit's bucket is empty. Fill intervals are an hour, so no token comes back while
 * the test runs. Needs {@code ENVOY_BIN}; skipped, saying why, without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvoyHttpFiltersTest {
  private static final String WEB = "web.e2e.svc.cluster.local";
  private static final String PLAIN = "plain.e2e.svc.cluster.local";
  private static final String ALLOWED = "https://shop.example.com";
  private static final int LIMITED_TOKENS = 3;

  private Optional<String> skipReason = Optional.empty();
  private Path dir;
  private MeshDirectory mesh;
  private HttpBackend backend;
  private ControlPlane controlPlane;
  private EnvoyProcess envoy;
  private final Map<String, Integer> ports = new java.util.HashMap<>();

  @BeforeAll
  void start(@TempDir Path tempDir) {
    StringBuilder whyNot = new StringBuilder();
    Optional<Path> binary = EnvoyProcess.binary(whyNot);
    if (binary.isEmpty()) {
      skipReason = Optional.of(whyNot.toString());
      System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + whyNot);
      return;
    }
    dir = tempDir;
    mesh = new MeshDirectory(dir);
    backend = new HttpBackend("web-1");
    for (String host : List.of(WEB, PLAIN)) {
      ports.put(host, ControlPlane.freePort());
      mesh.writeService(
          host.substring(0, host.indexOf('.')),
          host,
          ports.get(host),
          "HTTP",
          List.of(Instance.at(backend.port(), "v1")));
    }
    mesh.write(
        "rules/web.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: e2e}
        spec:
          hosts: [%s]
          http:
          - corsPolicy:
              allowOrigins: [{exact: %s}]
              allowMethods: [GET, POST]
              allowHeaders: [content-type]
              maxAge: 1h
              unmatchedPreflights: FORWARD
            route:
            - destination: {host: %1$s}
        ---
        apiVersion: sextant.io/v1alpha1
        kind: RateLimit
        metadata: {name: web-limited, namespace: e2e}
        spec:
          host: %1$s
          match: {uri: {prefix: /limited}}
          tokensPerFill: %d
          fillInterval: 1h
          statusCode: 429
        """
            .formatted(WEB, ALLOWED, LIMITED_TOKENS));
    controlPlane = ControlPlane.start(mesh);
    envoy = EnvoyProcess.sidecar(binary.get(), dir, "envoy-filters", controlPlane.xdsPort());
    // Paths outside the RateLimit's match spend no token.
    for (String host : ports.keySet()) {
      envoy.awaitOk("Envoy to route " + host, () -> get(host, "/"));
    }
  }

  @BeforeEach
  void skipWithoutEnvoy() {
    assumeTrue(skipReason.isEmpty(), () -> skipReason.orElse(""));
  }

  @AfterAll
  void stop() {
    if (envoy != null) {
      envoy.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private HttpRequest.Builder request(String host, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(host) + path))
        .timeout(Duration.ofSeconds(10))
        .header("Host", host);
  }

  private HttpResponse<String> get(String host, String path) {
    return EnvoyProcess.send(request(host, path));
  }

  private HttpResponse<String> preflight(String origin) {
    return EnvoyProcess.send(
        request(WEB, "/cart")
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST"));
  }

  @Test
  void aPreflightFromAnAllowedOrigin_isAnsweredByEnvoyWithTheAllowHeaders() {
    HttpResponse<String> r = preflight(ALLOWED);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("access-control-allow-origin")).contains(ALLOWED);
    assertThat(r.headers().firstValue("access-control-allow-methods")).contains("GET,POST");
    assertThat(r.headers().firstValue("access-control-allow-headers")).contains("content-type");
    assertThat(r.headers().firstValue("access-control-max-age")).contains("3600");
    // Answered by Envoy: the backend would have said its name.
    assertThat(r.body()).isEmpty();
  }

  @Test
  void aPreflightFromAnotherOrigin_getsNoAllowHeaders() {
    HttpResponse<String> r = preflight("https://evil.example.net");

    assertThat(r.headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(r.headers().firstValue("access-control-allow-methods")).isEmpty();
    // unmatchedPreflights: FORWARD, so the backend answered it.
    assertThat(r.body()).isEqualTo("web-1");
  }

  @Test
  void aMatchedRateLimit_passesItsTokens_thenAnswers429_andLeavesOtherPathsAlone() {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < LIMITED_TOKENS + 2; i++) {
      statuses.add(get(WEB, "/limited/item").statusCode());
    }

    assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
    assertThat(get(WEB, "/other").statusCode()).isEqualTo(200);
  }

  @Test
  void aRateLimitForAWholeHost_addedWhileRunning_limitsEveryPath() {
    mesh.write(
        "rules/plain-limit.yaml",
        """
        apiVersion: sextant.io/v1alpha1
        kind: RateLimit
        metadata: {name: plain-limit, namespace: e2e}
        spec:
          host: %s
          tokensPerFill: 2
          fillInterval: 1h
          statusCode: 503
        """
            .formatted(PLAIN));
    Poll.until(
        "Envoy to hold the new RateLimit",
        () -> envoy.admin("/config_dump?resource=dynamic_route_configs").contains("plain-limit"));

    List<Integer> statuses = new ArrayList<>();
    for (String path : List.of("/a", "/b", "/c", "/d")) {
      statuses.add(get(PLAIN, path).statusCode());
    }
    assertThat(statuses).containsExactly(200, 200, 503, 503);
  }
}
