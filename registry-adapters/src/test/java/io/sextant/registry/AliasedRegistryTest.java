package io.sextant.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.sextant.fixtures.Services;
import io.sextant.model.Endpoint;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.ServicePort;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AliasedRegistryTest {
  private static final String CONSUL_HOST = "greeter.service.consul";
  private static final String MESH_HOST = "greeter.demo.svc.cluster.local";

  private final MemoryRegistry consul = new MemoryRegistry("consul");
  private final RecordingListener events = new RecordingListener();

  /** As the Consul registry reports a service: one port, the smallest instance port. */
  private static MeshService greeter(int... instancePorts) {
    Services s = Services.grpc(CONSUL_HOST, instancePorts[0]).namespace("default");
    for (int p : instancePorts) {
      s.endpoint("127.0.0.1", e -> e.port(p));
    }
    return s.build();
  }

  @Test
  void aliasedService_takesTheMeshHostItsPortAndNamespace_andEndpointsKeepTheirOwnPorts() {
    consul.put(greeter(50051, 50052));
    consul.put(Services.http("other.service.consul", 8080).endpoints(1).build());
    AliasedRegistry aliased =
        new AliasedRegistry(
            consul, List.of(AliasedRegistry.Alias.of(CONSUL_HOST, MESH_HOST, 7070)));
    aliased.start(events);

    MeshService greeter =
        aliased.services().stream()
            .filter(s -> s.hostname().equals(MESH_HOST))
            .findFirst()
            .orElseThrow();
    assertThat(greeter.service().namespace()).isEqualTo("demo");
    assertThat(greeter.service().ports())
        .containsExactly(new ServicePort("grpc", 7070, Protocol.GRPC, 7070));
    assertThat(greeter.endpoints())
        .extracting(Endpoint::port, Endpoint::servicePort)
        .containsExactly(tuple(50051, 7070), tuple(50052, 7070));
    assertThat(aliased.services())
        .extracting(MeshService::hostname)
        .contains("other.service.consul")
        .doesNotContain(CONSUL_HOST);
    assertThat(events.about(MESH_HOST)).containsExactly("ADDED " + MESH_HOST);
  }

  @Test
  void eventsAreRenamed_includingDeletion() {
    AliasedRegistry aliased =
        new AliasedRegistry(
            consul, List.of(AliasedRegistry.Alias.of(CONSUL_HOST, MESH_HOST, 7070)));
    aliased.start(events);

    consul.put(greeter(50051));
    consul.put(greeter(50051, 50060));
    consul.remove(CONSUL_HOST);

    assertThat(events.about(MESH_HOST))
        .containsExactly(
            "ADDED " + MESH_HOST, "ENDPOINTS_UPDATED " + MESH_HOST, "DELETED " + MESH_HOST);
    assertThat(events.about(CONSUL_HOST)).isEmpty();
  }

  @Test
  void aliasProtocol_overridesTheRegistrys() {
    consul.put(Services.tcp(CONSUL_HOST, 9000).endpoints(1).build());
    AliasedRegistry aliased =
        new AliasedRegistry(
            consul,
            List.of(
                new AliasedRegistry.Alias(
                    CONSUL_HOST,
                    "greeter.example.org",
                    Optional.empty(),
                    Optional.of(Protocol.GRPC),
                    Optional.of("shop"))));

    MeshService s = aliased.services().get(0);
    assertThat(s.hostname()).isEqualTo("greeter.example.org");
    assertThat(s.service().namespace()).isEqualTo("shop");
    assertThat(s.service().ports())
        .extracting(ServicePort::number, ServicePort::protocol)
        .containsExactly(tuple(9000, Protocol.GRPC));
  }
}
