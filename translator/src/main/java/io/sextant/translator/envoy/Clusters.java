package io.sextant.translator.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.sextant.model.Endpoint;
import java.util.List;

/** Builds Envoy clusters of each discovery type Sextant uses. */
public final class Clusters {
  /** Istio's default connect timeout. */
  static final Duration CONNECT_TIMEOUT = Duration.newBuilder().setSeconds(10).build();

  static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private Clusters() {}

  /** Config delivered on the same ADS stream, xDS v3. */
  public static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  /** An EDS cluster whose assignment has the cluster's own name. */
  public static Cluster eds(String name, boolean http2) {
    Cluster.Builder c =
        base(name, http2)
            .setType(DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()).setServiceName(name));
    return c.build();
  }

  /** A STRICT_DNS cluster: Envoy resolves every endpoint's hostname and balances over all. */
  public static Cluster strictDns(String name, List<Endpoint> endpoints, boolean http2) {
    return base(name, http2)
        .setType(DiscoveryType.STRICT_DNS)
        .setLoadAssignment(inlineAssignment(name, endpoints))
        .build();
  }

  /**
   * A LOGICAL_DNS cluster for one hostname: what proxyless gRPC supports (grpc-java rejects
   * STRICT_DNS).
   */
  public static Cluster logicalDns(String name, Endpoint endpoint, boolean http2) {
    return base(name, http2)
        .setType(DiscoveryType.LOGICAL_DNS)
        .setLoadAssignment(inlineAssignment(name, List.of(endpoint)))
        .build();
  }

  /** A STATIC cluster with one address, such as the local app behind an inbound listener. */
  public static Cluster staticAddress(String name, String address, int port, boolean http2) {
    return base(name, http2)
        .setType(DiscoveryType.STATIC)
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(name)
                .addEndpoints(
                    LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(
                            io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint.newBuilder()
                                .setEndpoint(
                                    io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                        .setAddress(Endpoints.socketAddress(address, port))))))
        .build();
  }

  /** An ORIGINAL_DST cluster: forwards to wherever the connection was originally headed. */
  public static Cluster originalDestination(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(CONNECT_TIMEOUT)
        .build();
  }

  /** A STATIC cluster without endpoints: what it is given is refused (Istio's BlackHoleCluster). */
  public static Cluster blackHole(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(DiscoveryType.STATIC)
        .setConnectTimeout(CONNECT_TIMEOUT)
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name))
        .build();
  }

  private static Cluster.Builder base(String name, boolean http2) {
    Cluster.Builder c =
        Cluster.newBuilder()
            .setName(name)
            .setConnectTimeout(CONNECT_TIMEOUT)
            .setLbPolicy(LbPolicy.ROUND_ROBIN);
    if (http2) {
      c.putTypedExtensionProtocolOptions(
          HTTP_PROTOCOL_OPTIONS,
          Any.pack(
              HttpProtocolOptions.newBuilder()
                  .setExplicitHttpConfig(
                      HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                          .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                  .build()));
    }
    return c;
  }

  private static ClusterLoadAssignment inlineAssignment(String name, List<Endpoint> endpoints) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (Endpoint e : endpoints) {
      if (e.health().receivesTraffic()) {
        locality.addLbEndpoints(Endpoints.lbEndpoint(e));
      }
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build();
  }
}
