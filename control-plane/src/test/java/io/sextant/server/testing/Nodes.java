package io.sextant.server.testing;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;

/** xDS node identities as real clients send them, with Istio's metadata keys. */
public final class Nodes {
  private Nodes() {}

  /** An Envoy sidecar of {@code service} in {@code namespace}, with iptables capture. */
  public static Node sidecar(String id, String service, String namespace) {
    return envoy(id, service, metadata(namespace, "REDIRECT"));
  }

  /**
   * A sidecar without iptables ({@code INTERCEPTION_MODE: NONE}) whose workload listens on {@code
   * instanceIps}, given as Istio's comma-separated {@code INSTANCE_IPS}.
   */
  public static Node sidecarWithoutIptables(
      String id, String service, String namespace, String instanceIps) {
    return envoy(
        id, service, metadata(namespace, "NONE").putFields("INSTANCE_IPS", text(instanceIps)));
  }

  /**
   * A sidecar that declares its own service for an {@code xds} registry: {@code ports} as {@code
   * SERVICE_PORTS} ({@code "grpc:7070"}), its address as {@code INSTANCE_IPS}.
   */
  public static Node registering(
      String id, String service, String namespace, String ip, String ports) {
    return envoy(
        id,
        service,
        metadata(namespace, "NONE")
            .putFields("INSTANCE_IPS", text(ip))
            .putFields("SERVICE_PORTS", text(ports)));
  }

  /** A proxyless grpc-java client: no GENERATOR metadata, recognised by its user agent. */
  public static Node grpc(String id, String namespace) {
    return Node.newBuilder()
        .setId(id)
        .setUserAgentName("gRPC Java")
        .setMetadata(Struct.newBuilder().putFields("NAMESPACE", text(namespace)))
        .build();
  }

  private static Node envoy(String id, String service, Struct.Builder metadata) {
    return Node.newBuilder()
        .setId(id)
        .setCluster(service)
        .setUserAgentName("envoy")
        .setMetadata(metadata)
        .build();
  }

  private static Struct.Builder metadata(String namespace, String interception) {
    return Struct.newBuilder()
        .putFields("NAMESPACE", text(namespace))
        .putFields("INTERCEPTION_MODE", text(interception));
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
