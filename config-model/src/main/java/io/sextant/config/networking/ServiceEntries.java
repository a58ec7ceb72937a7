package io.sextant.config.networking;

import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Resolution;
import io.sextant.model.Service;
import io.sextant.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns a ServiceEntry into model services: one per host, sharing ports and endpoints. */
public final class ServiceEntries {
  private ServiceEntries() {}

  /**
   * The services {@code entry} defines. Every inline endpoint serves every port, on the port's
   * target port unless the endpoint overrides it by port name. A DNS entry without endpoints
   * resolves its own hostname. {@code origin} is recorded on every endpoint.
   */
  public static List<MeshService> toServices(ServiceEntry entry, String origin) {
    List<ServicePort> ports =
        entry.ports().stream()
            .map(
                p ->
                    new ServicePort(
                        p.name(),
                        p.number(),
                        p.protocol(),
                        p.targetPort() == 0 ? p.number() : p.targetPort()))
            .toList();
    List<MeshService> services = new ArrayList<>();
    for (String host : entry.hosts()) {
      Service service =
          new Service(
              host,
              entry.meta().namespace(),
              ports,
              entry.meta().labels(),
              entry.resolution(),
              entry.addresses());
      List<Endpoint> endpoints = new ArrayList<>();
      if (entry.endpoints().isEmpty() && entry.resolution() == Resolution.DNS) {
        for (ServicePort port : ports) {
          endpoints.add(
              new Endpoint(
                  host,
                  port.targetPort(),
                  port.number(),
                  Map.of(),
                  Locality.UNKNOWN,
                  HealthStatus.HEALTHY,
                  1,
                  origin));
        }
      }
      for (WorkloadEntry workload : entry.endpoints()) {
        for (ServicePort port : ports) {
          int target = workload.ports().getOrDefault(port.name(), port.targetPort());
          endpoints.add(
              new Endpoint(
                  workload.address(),
                  target,
                  port.number(),
                  workload.labels(),
                  Locality.parse(workload.locality()),
                  HealthStatus.HEALTHY,
                  Math.max(1, workload.weight()),
                  origin));
        }
      }
      services.add(new MeshService(service, endpoints));
    }
    return services;
  }
}
