package io.sextant.server.cli;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.sextant.translator.envoy.Clusters;
import io.sextant.translator.envoy.Endpoints;
import io.sextant.translator.envoy.ProtoJson;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Builds the Envoy bootstrap that points a sidecar at Sextant over ADS. */
public final class EnvoyBootstrap {
  static final String XDS_CLUSTER = "xds-grpc";

  private EnvoyBootstrap() {}

  /** Istio's INTERCEPTION_MODE values. */
  public enum Interception {
    REDIRECT,
    NONE
  }

  /** Everything a sidecar's bootstrap says about it. */
  public record Options(
      String nodeId,
      String service,
      String namespace,
      String xdsHost,
      int xdsPort,
      Interception interception,
      int adminPort,
      Map<String, String> labels,
      List<String> instanceIps,
      boolean delta,
      String locality) {}

  public static Bootstrap bootstrap(Options o) {
    Struct.Builder metadata =
        Struct.newBuilder()
            .putFields("NAMESPACE", string(o.namespace()))
            .putFields("INTERCEPTION_MODE", string(o.interception().name()));
    if (!o.labels().isEmpty()) {
      Struct.Builder labels = Struct.newBuilder();
      new TreeMap<>(o.labels()).forEach((k, v) -> labels.putFields(k, string(v)));
      metadata.putFields("LABELS", Value.newBuilder().setStructValue(labels).build());
    }
    if (!o.instanceIps().isEmpty()) {
      metadata.putFields("INSTANCE_IPS", string(String.join(",", o.instanceIps())));
    }
    ApiConfigSource ads =
        ApiConfigSource.newBuilder()
            .setApiType(
                o.delta() ? ApiConfigSource.ApiType.DELTA_GRPC : ApiConfigSource.ApiType.GRPC)
            .setTransportApiVersion(ApiVersion.V3)
            .addGrpcServices(
                GrpcService.newBuilder()
                    .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(XDS_CLUSTER)))
            .build();
    boolean ip = o.xdsHost().matches("[0-9.]+") || o.xdsHost().contains(":");
    Cluster xds =
        Cluster.newBuilder()
            .setName(XDS_CLUSTER)
            .setType(ip ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
            .setConnectTimeout(Duration.newBuilder().setSeconds(1))
            .putTypedExtensionProtocolOptions(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                Any.pack(
                    HttpProtocolOptions.newBuilder()
                        .setExplicitHttpConfig(
                            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                        .build()))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(XDS_CLUSTER)
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(
                                LbEndpoint.newBuilder()
                                    .setEndpoint(
                                        io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                            .setAddress(
                                                Endpoints.socketAddress(
                                                    o.xdsHost(), o.xdsPort()))))))
            .build();
    return Bootstrap.newBuilder()
        .setNode(
            Node.newBuilder()
                .setId(o.nodeId())
                .setCluster(o.service())
                .setMetadata(metadata)
                .setLocality(locality(o.locality())))
        .setDynamicResources(
            Bootstrap.DynamicResources.newBuilder()
                .setAdsConfig(ads)
                .setCdsConfig(Clusters.ads())
                .setLdsConfig(Clusters.ads()))
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(xds))
        .setAdmin(
            Admin.newBuilder().setAddress(Endpoints.socketAddress("127.0.0.1", o.adminPort())))
        .build();
  }

  /** The bootstrap as YAML, ready for {@code envoy -c}. */
  public static String yaml(Options o) {
    Object tree = new Yaml().load(ProtoJson.print(bootstrap(o)));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setSplitLines(false);
    return "# Envoy bootstrap generated by `sextant bootstrap`.\n" + new Yaml(options).dump(tree);
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** {@code REGION/ZONE/SUBZONE}, any part may be left out from the right; empty for none. */
  static io.envoyproxy.envoy.config.core.v3.Locality locality(String written) {
    String[] parts = written.isEmpty() ? new String[0] : written.split("/", -1);
    var l = io.envoyproxy.envoy.config.core.v3.Locality.newBuilder();
    if (parts.length > 0) {
      l.setRegion(parts[0]);
    }
    if (parts.length > 1) {
      l.setZone(parts[1]);
    }
    if (parts.length > 2) {
      l.setSubZone(parts[2]);
    }
    return l.build();
  }
}
