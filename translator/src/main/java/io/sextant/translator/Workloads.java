package io.sextant.translator;

import io.sextant.model.MeshService;
import io.sextant.model.ServicePort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Finds the service a sidecar's own workload belongs to, and the ports it listens on. */
final class Workloads {
  private Workloads() {}

  /**
   * The service named by {@code node.cluster}: an exact hostname, a short name qualified in the
   * proxy's namespace, or a service in that namespace whose hostname starts with the name.
   */
  static Optional<MeshService> service(MeshIndex index, ProxyContext proxy) {
    String name = proxy.serviceName();
    if (name.isEmpty()) {
      return Optional.empty();
    }
    Optional<MeshService> exact = index.service(name);
    if (exact.isPresent()) {
      return exact;
    }
    Optional<MeshService> qualified = index.service(index.qualify(name, proxy.namespace()));
    if (qualified.isPresent()) {
      return qualified;
    }
    for (MeshService s : index.services()) {
      if (s.service().namespace().equals(proxy.namespace())
          && s.hostname().startsWith(name + ".")) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The workload's ports, one per distinct target port (the first service port wins). */
  static List<ServicePort> inboundPorts(MeshIndex index, ProxyContext proxy) {
    List<ServicePort> ports = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    service(index, proxy)
        .ifPresent(
            s -> {
              for (ServicePort p : s.service().ports()) {
                if (seen.add(p.targetPort())) {
                  ports.add(p);
                }
              }
            });
    return ports;
  }
}
