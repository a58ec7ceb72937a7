package io.sextant.registry;

import io.sextant.model.MeshService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns two states of a registry into the events between them, classified the same way by every
 * registry and by the aggregate, so that an unchanged service never causes a push.
 */
public final class ServiceDiff {
  private ServiceDiff() {}

  /**
   * The event that takes one service from {@code before} to {@code after}; either may be {@code
   * null} for "absent". Empty when nothing changed.
   */
  public static Optional<ServiceEvent> change(
      String hostname, MeshService before, MeshService after, String registry) {
    if (after == null) {
      return before == null
          ? Optional.empty()
          : Optional.of(ServiceEvent.deleted(hostname, registry));
    }
    if (before == after) {
      return Optional.empty(); // the same object: registries reuse what did not change
    }
    ServiceEvent.Kind kind;
    if (before == null) {
      kind = ServiceEvent.Kind.ADDED;
    } else if (before.equals(after)) {
      return Optional.empty();
    } else if (before.service().equals(after.service())) {
      kind = ServiceEvent.Kind.ENDPOINTS_UPDATED;
    } else {
      kind = ServiceEvent.Kind.UPDATED;
    }
    return Optional.of(new ServiceEvent(kind, hostname, Optional.of(after), registry));
  }

  /**
   * The events that take a registry from {@code before} to {@code after}, both keyed by hostname:
   * upserts in the iteration order of {@code after}, then deletions.
   */
  public static List<ServiceEvent> between(
      Map<String, MeshService> before, Map<String, MeshService> after, String registry) {
    List<ServiceEvent> events = new ArrayList<>();
    after.forEach(
        (hostname, service) ->
            change(hostname, before.get(hostname), service, registry).ifPresent(events::add));
    before.keySet().stream()
        .filter(hostname -> !after.containsKey(hostname))
        .forEach(hostname -> events.add(ServiceEvent.deleted(hostname, registry)));
    return events;
  }
}
