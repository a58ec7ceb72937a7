package io.sextant.registry;

import io.sextant.model.MeshService;
import java.util.Objects;
import java.util.Optional;

/**
 * A change to one service.
 *
 * @param kind what changed
 * @param hostname the service's hostname
 * @param service the service's new state; empty for {@link Kind#DELETED}
 * @param registry the name of the registry that reported the change
 */
public record ServiceEvent(
    Kind kind, String hostname, Optional<MeshService> service, String registry) {

  /** What changed. Registries may report ADDED or UPDATED for any upsert; the aggregate refines. */
  public enum Kind {
    ADDED,
    UPDATED,
    /** Only endpoints changed; ports, addresses, labels and resolution are as before. */
    ENDPOINTS_UPDATED,
    DELETED
  }

  public ServiceEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(registry, "registry");
    if ((kind == Kind.DELETED) != service.isEmpty()) {
      throw new IllegalArgumentException(
          kind + " event for " + hostname + " with service " + service);
    }
  }

  public static ServiceEvent upsert(MeshService service, String registry) {
    return new ServiceEvent(Kind.UPDATED, service.hostname(), Optional.of(service), registry);
  }

  public static ServiceEvent deleted(String hostname, String registry) {
    return new ServiceEvent(Kind.DELETED, hostname, Optional.empty(), registry);
  }
}
