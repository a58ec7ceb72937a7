package io.sextant.model;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** A service together with all its endpoints, merged across registries. */
public record MeshService(Service service, List<Endpoint> endpoints) {
  /** The order endpoints are kept in, so that output built from them is stable. */
  public static final Comparator<Endpoint> ENDPOINT_ORDER =
      Comparator.comparingInt(Endpoint::servicePort)
          .thenComparingInt(Endpoint::priority)
          .thenComparing(Endpoint::locality)
          .thenComparing(Endpoint::address)
          .thenComparingInt(Endpoint::port)
          .thenComparing(Endpoint::origin);

  public MeshService {
    Objects.requireNonNull(service, "service");
    endpoints = endpoints.stream().sorted(ENDPOINT_ORDER).toList();
  }

  public String hostname() {
    return service.hostname();
  }

  /** Endpoints that serve the given service port. */
  public List<Endpoint> endpoints(int servicePort) {
    return endpoints.stream().filter(e -> e.servicePort() == servicePort).toList();
  }
}
