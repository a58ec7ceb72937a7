package io.sextant.bench.mesh;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;

/** The Envoy node a simulated sidecar of a generated mesh presents. */
public final class ProxyNodes {
  private ProxyNodes() {}

  /**
   * Sidecar number {@code index}, a workload of {@code service}: its own node id, the service's
   * namespace, labels {@code app} and {@code version} (v1 for even indexes, v2 for odd ones), and
   * REDIRECT interception as Istio's injected sidecars use.
   */
  public static Node sidecar(int index, MeshSpec spec, int service) {
    String namespace = spec.namespace(service);
    String app = spec.name(service);
    return Node.newBuilder()
        .setId(String.format("proxy-%05d.%s", index, namespace))
        .setCluster(app)
        .setUserAgentName("envoy")
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", str(namespace))
                .putFields("INTERCEPTION_MODE", str("REDIRECT"))
                .putFields(
                    "LABELS",
                    Value.newBuilder()
                        .setStructValue(
                            Struct.newBuilder()
                                .putFields("app", str(app))
                                .putFields("version", str(index % 2 == 0 ? "v1" : "v2")))
                        .build()))
        .build();
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
