package io.sextant.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A service as the mesh sees it, whatever registry it came from.
 *
 * @param hostname fully qualified name, the service's identity in the mesh
 * @param namespace the namespace it belongs to (Kubernetes namespace, or the rule's)
 * @param ports its ports, at least one, unique by number and by name
 * @param labels service-level labels
 * @param resolution how its endpoints are found
 * @param addresses virtual IPs (Kubernetes ClusterIP, ServiceEntry addresses); may be empty
 */
public record Service(
    String hostname,
    String namespace,
    List<ServicePort> ports,
    Map<String, String> labels,
    Resolution resolution,
    List<String> addresses) {

  public Service {
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(namespace, "namespace");
    ports = List.copyOf(ports);
    labels = Map.copyOf(labels);
    Objects.requireNonNull(resolution, "resolution");
    addresses = List.copyOf(addresses);
    if (hostname.isBlank()) {
      throw new IllegalArgumentException("service hostname is empty");
    }
    if (ports.stream().map(ServicePort::number).distinct().count() != ports.size()) {
      throw new IllegalArgumentException("duplicate port number in service " + hostname);
    }
  }

  public Optional<ServicePort> port(int number) {
    return ports.stream().filter(p -> p.number() == number).findFirst();
  }
}
