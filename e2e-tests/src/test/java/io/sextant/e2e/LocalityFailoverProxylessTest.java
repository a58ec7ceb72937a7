package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * DestinationRule locality failover as grpc-java's xDS client applies it: a client in
 * us-east/us-east-1a (its bootstrap's {@code node.locality}) calls only the backend in its own zone
 * while it serves, and the backend in eu-west once the local one is gone. One JVM of its own
 * (grpc-java keeps one xDS client per JVM).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalityFailoverProxylessTest {
  private static final String GREETER = "greeter.e2e.svc.cluster.local";
  private static final int PORT = 50071;

  private ControlPlane controlPlane;
  private GrpcBackend near;
  private GrpcBackend far;
  private ManagedChannel channel;

  @BeforeAll
  void start(@TempDir Path dir) {
    near = new GrpcBackend("near");
    far = new GrpcBackend("far");
    MeshDirectory mesh = new MeshDirectory(dir);
    mesh.write(
        "services/greeter.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: greeter, namespace: e2e}
        spec:
          hosts: [%s]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: %d, name: grpc, protocol: GRPC}
          endpoints:
          - {address: 127.0.0.1, ports: {grpc: %d}, locality: us-east/us-east-1a}
          - {address: 127.0.0.1, ports: {grpc: %d}, locality: eu-west/eu-west-1a}
        """
            .formatted(GREETER, PORT, near.port(), far.port()));
    mesh.write(
        "rules/greeter.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: greeter, namespace: e2e}
        spec:
          host: %s
          trafficPolicy:
            loadBalancer:
              localityLbSetting: {enabled: true}
            outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 60s}
        """
            .formatted(GREETER));
    controlPlane = ControlPlane.start(mesh);
    ControlPlane.bootstrapGrpcXds(
        controlPlane.xdsPort(), "locality-e2e-client", "e2e", "us-east/us-east-1a");
    channel =
        ManagedChannelBuilder.forTarget("xds:///" + GREETER + ":" + PORT).usePlaintext().build();
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    near.close();
    far.close();
  }

  /** The backend that answered, or the failure's status. */
  private String call() {
    try {
      return GrpcBackend.whoAmI(channel);
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode().name();
    }
  }

  @Test
  void callsStayInTheClientsZone_andFailOverWhenItsBackendIsGone() {
    // Without locality ranking, round robin would send half of these to eu-west.
    assertThat(Tally.of(40, this::call)).containsOnlyKeys("near");

    near.close();
    Poll.until("calls to fail over to eu-west", () -> call().equals("far"));
    assertThat(Tally.of(40, this::call)).containsOnlyKeys("far");
  }
}
