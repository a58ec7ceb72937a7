package io.sextant.e2e;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.HashMap;
import java.util.Map;

/**
 * The contract with a real proxyless client: grpc-java's own xDS implementation resolves {@code
 * xds:///HOST:PORT} through Sextant (LDS, RDS, CDS, EDS over ADS) and calls real gRPC servers.
 * grpc-java keeps one xDS client per JVM, so this class runs in a JVM of its own.
 */
class ProxylessGrpcTest extends MeshContract {
  private static final Map<String, Integer> PORTS =
      Map.of(HELLO, 50051, SPLIT, 50052, MEMBERS, 50053);
  private final Map<String, ManagedChannel> channels = new HashMap<>();

  @Override
  String protocol() {
    return "GRPC";
  }

  @Override
  String nodeId() {
    return "grpc-e2e-client";
  }

  @Override
  Map.Entry<AutoCloseable, Integer> startBackend(String name) {
    GrpcBackend b = new GrpcBackend(name);
    return Map.entry(b, b.port());
  }

  @Override
  int servicePort(String host) {
    return PORTS.get(host);
  }

  @Override
  void startClient() {
    // Read by grpc-java when its first xDS channel is built; one bootstrap per JVM.
    ControlPlane.bootstrapGrpcXds(controlPlane.xdsPort(), nodeId(), "e2e");
    PORTS.keySet().forEach(this::call);
  }

  @Override
  String call(String host) {
    ManagedChannel channel =
        channels.computeIfAbsent(
            host,
            h ->
                ManagedChannelBuilder.forTarget("xds:///" + h + ":" + PORTS.get(h))
                    .usePlaintext()
                    .build());
    return GrpcBackend.whoAmI(channel);
  }

  @Override
  void stopClient() {
    GrpcChannels.shutdown(channels.values());
  }
}
