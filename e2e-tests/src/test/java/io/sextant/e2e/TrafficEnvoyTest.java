package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.e2e.MeshDirectory.Instance;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * VirtualService redirects, rewrites and mirroring through the real Envoy that {@code ENVOY_BIN}
 * names, in front of real HTTP backends that record what they receive. Skipped, saying why, without
 * {@code ENVOY_BIN}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(EnvoyAvailable.class)
class TrafficEnvoyTest {
  private static final String WEB = "web.e2e.svc.cluster.local";
  private static final String SHADOW = "shadow.e2e.svc.cluster.local";

  private final Resources resources = new Resources();
  private HttpBackend web;
  private HttpBackend shadow;
  private int webPort;

  @BeforeAll
  void start(@TempDir Path dir) {
    Path envoyBinary = EnvoyProcess.requiredBinary();

    MeshDirectory mesh = new MeshDirectory(dir);
    web = resources.keep(new HttpBackend("web-v1"));
    shadow = resources.keep(new HttpBackend("shadow"));
    webPort = ControlPlane.freePort();
    mesh.writeService("web", WEB, webPort, "HTTP", List.of(Instance.at(web.port(), "v1")));
    mesh.writeService(
        "shadow",
        SHADOW,
        ControlPlane.freePort(),
        "HTTP",
        List.of(Instance.at(shadow.port(), "v1")));
    mesh.write(
        "rules/web.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: e2e}
        spec:
          hosts: [%s]
          http:
          - name: moved
            match:
            - uri: {exact: /old}
            redirect: {uri: /new}
          - name: legacy-api
            match:
            - uri: {prefix: /v1/api/}
            rewrite: {uri: /api/}
            route:
            - destination: {host: %1$s}
          - name: mirrored
            match:
            - uri: {prefix: /mirrored}
            route:
            - destination: {host: %1$s}
            mirror: {host: %s}
          - name: rest
            route:
            - destination: {host: %1$s}
        """
            .formatted(WEB, SHADOW));
    ControlPlane controlPlane = resources.keep(ControlPlane.start(mesh));
    EnvoyProcess envoy =
        resources.keep(
            EnvoyProcess.sidecar(envoyBinary, dir, "traffic-envoy-e2e", controlPlane.xdsPort()));
    envoy.awaitRouting(url("/"), WEB);
  }

  @AfterAll
  void stop() throws Exception {
    resources.close();
  }

  private String url(String pathAndQuery) {
    return "http://127.0.0.1:" + webPort + pathAndQuery;
  }

  private HttpResponse<String> get(String pathAndQuery) {
    return EnvoyProcess.get(url(pathAndQuery), WEB);
  }

  @Test
  void redirect_isAnsweredByEnvoy_andFollowingItReachesTheBackend() {
    HttpResponse<String> moved = get("/old");
    assertThat(moved.statusCode()).isEqualTo(301);
    URI location = URI.create(moved.headers().firstValue("location").orElseThrow());
    assertThat(location.getPath()).isEqualTo("/new");
    assertThat(web.requests()).noneMatch(r -> r.uri().equals("/old"));

    // Follow it as the app would through its sidecar: same Envoy, the Location's host.
    HttpResponse<String> followed =
        EnvoyProcess.get(url(location.getRawPath()), location.getHost());
    assertThat(followed.statusCode()).isEqualTo(200);
    assertThat(followed.body()).isEqualTo("web-v1");
    assertThat(web.requests()).extracting(HttpBackend.Request::uri).contains("/new");
  }

  @Test
  void rewrite_reachesTheBackendWithTheNewPath() {
    HttpResponse<String> r = get("/v1/api/items?page=2");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(web.requests())
        .extracting(HttpBackend.Request::uri)
        .contains("/api/items?page=2")
        .doesNotContain("/v1/api/items?page=2");
  }

  @Test
  void mirror_sendsTheShadowACopyOfEveryRequest_whileTheAnswerComesFromThePrimary() {
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get("/mirrored/" + i);
      assertThat(r.body()).isEqualTo("web-v1");
    }
    // Mirrored requests are fire-and-forget: they may land after the answers.
    Poll.until(
        "the shadow to receive 20 copies",
        () ->
            shadow.requests().stream().filter(r -> r.uri().startsWith("/mirrored/")).count() == 20);
    assertThat(shadow.requests())
        .filteredOn(r -> r.uri().startsWith("/mirrored/"))
        .allSatisfy(r -> assertThat(r.host()).startsWith(WEB).contains("-shadow"));
    assertThat(shadow.requests()).noneMatch(r -> r.uri().startsWith("/v1/api"));
  }
}
