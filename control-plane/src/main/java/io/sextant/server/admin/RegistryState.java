package io.sextant.server.admin;

import io.sextant.model.MeshService;
import io.sextant.registry.ServiceRegistry;
import io.sextant.registry.SourceStatus;
import java.util.List;

/**
 * One registry as {@code /debug/registryz} and the metrics show it.
 *
 * @param status its sync state, staleness, last sync and errors
 * @param services how many services it currently holds
 * @param endpoints how many endpoints those services have, healthy or not
 */
public record RegistryState(SourceStatus status, int services, int endpoints) {
  public static RegistryState of(ServiceRegistry registry) {
    List<MeshService> services = registry.services();
    int endpoints = services.stream().mapToInt(s -> s.endpoints().size()).sum();
    return new RegistryState(registry.status(), services.size(), endpoints);
  }
}
