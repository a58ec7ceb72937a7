package io.sextant.registry;

import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.Resolution;
import io.sextant.model.Service;
import io.sextant.model.ServicePort;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The port rule of registries whose instances each register one address and port (Consul,
 * ZooKeeper): the service has one port, the smallest instance port, named after its protocol; every
 * endpoint serves it on its own port. Host aliases can renumber it.
 */
public final class SinglePortServices {
  private SinglePortServices() {}

  /** One registered instance. */
  public record Instance(
      String address,
      int port,
      Map<String, String> labels,
      Locality locality,
      HealthStatus health) {
    public Instance {
      Objects.requireNonNull(address, "address");
      labels = Map.copyOf(labels);
      Objects.requireNonNull(locality, "locality");
      Objects.requireNonNull(health, "health");
    }
  }

  /** The service of {@code instances}, of which there is at least one. */
  public static MeshService meshService(
      String hostname,
      String namespace,
      Protocol protocol,
      List<Instance> instances,
      String origin) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("service " + hostname + " has no instances");
    }
    int number = instances.stream().mapToInt(Instance::port).min().getAsInt();
    ServicePort port =
        new ServicePort(protocol.name().toLowerCase(Locale.ROOT), number, protocol, number);
    List<Endpoint> endpoints =
        instances.stream()
            .map(
                i ->
                    new Endpoint(
                        i.address(),
                        i.port(),
                        number,
                        i.labels(),
                        i.locality(),
                        i.health(),
                        1,
                        origin))
            .toList();
    return new MeshService(
        new Service(hostname, namespace, List.of(port), Map.of(), Resolution.STATIC, List.of()),
        endpoints);
  }
}
