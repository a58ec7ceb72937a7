package io.sextant.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.sextant.translator.ProxyContext;
import io.sextant.translator.envoy.ProtoJson;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/** {@code sextant bootstrap}: the Envoy bootstrap that points a sidecar at Sextant. */
class BootstrapCommandTest {
  /** Runs {@code sextant bootstrap ARGS}, which must succeed, and reads what it printed. */
  static Bootstrap bootstrap(String... args) {
    String[] line = new String[args.length + 1];
    line[0] = "bootstrap";
    System.arraycopy(args, 0, line, 1, args.length);
    Cli.Outcome outcome = Cli.run(line);
    assertThat(outcome.exitCode()).as("exit code; stderr: %s", outcome.err()).isZero();
    return parse(outcome.out());
  }

  /** YAML to Envoy's Bootstrap message, rejecting any field Envoy would not know. */
  private static Bootstrap parse(String yaml) {
    Object tree = new Yaml().load(yaml);
    try {
      return ProtoJson.parse(new Gson().toJson(tree), Bootstrap.newBuilder()).build();
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("not an Envoy bootstrap: " + e.getMessage() + "\n" + yaml, e);
    }
  }

  private static SocketAddress xdsAddress(Bootstrap b) {
    return xdsCluster(b)
        .getLoadAssignment()
        .getEndpoints(0)
        .getLbEndpoints(0)
        .getEndpoint()
        .getAddress()
        .getSocketAddress();
  }

  private static Cluster xdsCluster(Bootstrap b) {
    String name =
        b.getDynamicResources().getAdsConfig().getGrpcServices(0).getEnvoyGrpc().getClusterName();
    return b.getStaticResources().getClustersList().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no static cluster " + name + " for ADS"));
  }

  @Test
  void everyOption_endsUpInTheNodeAndTheXdsCluster() {
    Bootstrap b =
        bootstrap(
            "--node-id", "reviews-v1-1.bookinfo",
            "--service", "reviews",
            "--namespace", "bookinfo",
            "--xds", "10.0.0.10:15011",
            "--interception", "NONE",
            "--admin-port", "15500",
            "--label", "app=reviews",
            "--label", "version=v1",
            "--instance-ip", "10.0.0.7",
            "--instance-ip", "10.0.0.8");

    assertThat(b.getNode().getId()).isEqualTo("reviews-v1-1.bookinfo");
    assertThat(b.getNode().getCluster()).isEqualTo("reviews");
    Map<String, Value> metadata = b.getNode().getMetadata().getFieldsMap();
    assertThat(metadata.get("NAMESPACE").getStringValue()).isEqualTo("bookinfo");
    assertThat(metadata.get("INTERCEPTION_MODE").getStringValue()).isEqualTo("NONE");
    assertThat(metadata.get("INSTANCE_IPS").getStringValue()).isEqualTo("10.0.0.7,10.0.0.8");
    assertThat(metadata.get("LABELS").getStructValue())
        .isEqualTo(
            Struct.newBuilder()
                .putFields("app", Value.newBuilder().setStringValue("reviews").build())
                .putFields("version", Value.newBuilder().setStringValue("v1").build())
                .build());
    assertThat(xdsCluster(b).getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(xdsAddress(b).getAddress()).isEqualTo("10.0.0.10");
    assertThat(xdsAddress(b).getPortValue()).isEqualTo(15011);
    assertThat(b.getDynamicResources().getAdsConfig().getApiType())
        .isEqualTo(ApiConfigSource.ApiType.DELTA_GRPC);
    assertThat(b.getDynamicResources().getLdsConfig().hasAds()).isTrue();
    assertThat(b.getDynamicResources().getCdsConfig().hasAds()).isTrue();
    assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(15500);
  }

  @Test
  void nodeItDescribes_isReadBackByTheControlPlaneAsTheSameProxy() {
    Bootstrap b =
        bootstrap(
            "--node-id", "reviews-v1-1",
            "--service", "reviews",
            "--namespace", "bookinfo",
            "--interception", "NONE",
            "--label", "version=v1",
            "--instance-ip", "10.0.0.7");

    ProxyContext proxy = ProxyContext.fromNode(b.getNode());

    assertThat(proxy.namespace()).isEqualTo("bookinfo");
    assertThat(proxy.labels()).containsExactly(Map.entry("version", "v1"));
    assertThat(proxy.instanceIps()).containsExactly("10.0.0.7");
    assertThat(proxy.groupKey()).isEqualTo("sidecar|bookinfo|reviews|NONE|10.0.0.7|{version=v1}");
  }

  @Test
  void locality_isTheNodeLocality_andPartOfTheProxyGroup() {
    Bootstrap b =
        bootstrap(
            "--node-id", "reviews-1", "--service", "reviews", "--locality", "eu-west/eu-west-1a");

    assertThat(b.getNode().getLocality().getRegion()).isEqualTo("eu-west");
    assertThat(b.getNode().getLocality().getZone()).isEqualTo("eu-west-1a");
    assertThat(ProxyContext.fromNode(b.getNode()).groupKey()).contains("eu-west/eu-west-1a");

    Cli.Outcome bad =
        Cli.run("bootstrap", "--node-id", "a", "--service", "b", "--locality", "eu//x");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--locality must be REGION, REGION/ZONE or REGION/ZONE/SUBZONE");
  }

  @Test
  void withoutOptionalFlags_usesIstioDefaults() {
    Bootstrap b = bootstrap("--node-id", "ratings-1", "--service", "ratings");

    Map<String, Value> metadata = b.getNode().getMetadata().getFieldsMap();
    assertThat(metadata.get("NAMESPACE").getStringValue()).isEqualTo("default");
    assertThat(metadata.get("INTERCEPTION_MODE").getStringValue()).isEqualTo("REDIRECT");
    assertThat(metadata).doesNotContainKeys("LABELS", "INSTANCE_IPS");
    assertThat(xdsAddress(b).getAddress()).isEqualTo("127.0.0.1");
    assertThat(xdsAddress(b).getPortValue()).isEqualTo(15010);
    assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(15000);
  }

  @Test
  void byDefault_asksForIncrementalXds_asIstioSidecarsDo() {
    Bootstrap b = bootstrap("--node-id", "ratings-1", "--service", "ratings");

    assertThat(b.getDynamicResources().getAdsConfig().getApiType())
        .isEqualTo(ApiConfigSource.ApiType.DELTA_GRPC);
    assertThat(bootstrap("--node-id", "ratings-1", "--service", "ratings", "--delta")).isEqualTo(b);
  }

  @Test
  void sotw_asksForStateOfTheWorldXds_andExcludesDelta() {
    Bootstrap b = bootstrap("--node-id", "ratings-1", "--service", "ratings", "--sotw");

    assertThat(b.getDynamicResources().getAdsConfig().getApiType())
        .isEqualTo(ApiConfigSource.ApiType.GRPC);
    Cli.Outcome both =
        Cli.run("bootstrap", "--node-id", "a", "--service", "b", "--sotw", "--delta");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("--sotw and --delta exclude each other");
  }

  @Test
  void xdsHostName_isResolvedByDns() {
    Bootstrap b =
        bootstrap(
            "--node-id",
            "ratings-1",
            "--service",
            "ratings",
            "--xds",
            "sextant.istio-system.svc:15010");

    assertThat(xdsCluster(b).getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(xdsAddress(b).getAddress()).isEqualTo("sextant.istio-system.svc");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sextant", ":15010", "sextant:", "sextant:grpc"})
  void malformedXdsAddress_exitsWith2AndSaysWhy(String xds) {
    Cli.Outcome outcome = Cli.run("bootstrap", "--node-id", "a", "--service", "b", "--xds", xds);

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("--xds", xds);
    assertThat(outcome.out()).isEmpty();
  }

  @Test
  void xdsPortOutOfRange_exitsWith2() {
    Cli.Outcome outcome =
        Cli.run("bootstrap", "--node-id", "a", "--service", "b", "--xds", "127.0.0.1:99999");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("--xds");
  }

  @Test
  void bracketedIpv6XdsAddress_becomesAPlainIpv6Address() {
    Bootstrap b = bootstrap("--node-id", "a", "--service", "b", "--xds", "[::1]:15010");

    assertThat(xdsCluster(b).getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(xdsAddress(b).getAddress()).isEqualTo("::1");
    assertThat(xdsAddress(b).getPortValue()).isEqualTo(15010);
  }

  @Test
  void missingNodeId_exitsWith2NamingTheOption() {
    Cli.Outcome outcome = Cli.run("bootstrap", "--service", "b");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("--node-id");
  }

  @Test
  void unknownInterceptionMode_exitsWith2ListingTheValidOnes() {
    Cli.Outcome outcome =
        Cli.run("bootstrap", "--node-id", "a", "--service", "b", "--interception", "TPROXY");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("TPROXY", "REDIRECT", "NONE");
  }
}
