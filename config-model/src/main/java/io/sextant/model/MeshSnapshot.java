package io.sextant.model;

import io.sextant.config.ResourceMeta;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything the translator reads, frozen: services with their endpoints, the user's rules, and
 * mesh settings. A new snapshot is built for every change; an old one is never modified.
 *
 * @param generation increases with every snapshot built by one control plane; for logs only, it
 *     never appears in Envoy resources
 * @param services every service by hostname, in hostname order
 * @param virtualServices VirtualServices, ordered by namespace then name
 * @param destinationRules DestinationRules, ordered by namespace then name
 * @param rateLimits Sextant RateLimits, ordered by namespace then name
 * @param sidecars Sidecars, ordered by namespace then name
 */
public record MeshSnapshot(
    long generation,
    SortedMap<String, MeshService> services,
    List<VirtualService> virtualServices,
    List<DestinationRule> destinationRules,
    MeshSettings settings,
    List<RateLimit> rateLimits,
    List<Sidecar> sidecars) {

  private static final Comparator<ResourceMeta> BY_NAME =
      Comparator.comparing(ResourceMeta::namespace).thenComparing(ResourceMeta::name);

  public MeshSnapshot {
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    virtualServices =
        virtualServices.stream()
            .sorted(Comparator.comparing(VirtualService::meta, BY_NAME))
            .toList();
    destinationRules =
        destinationRules.stream()
            .sorted(Comparator.comparing(DestinationRule::meta, BY_NAME))
            .toList();
    Objects.requireNonNull(settings, "settings");
    rateLimits =
        rateLimits.stream().sorted(Comparator.comparing(RateLimit::meta, BY_NAME)).toList();
    sidecars = sidecars.stream().sorted(Comparator.comparing(Sidecar::meta, BY_NAME)).toList();
  }

  /** A snapshot without Sidecars. */
  public MeshSnapshot(
      long generation,
      SortedMap<String, MeshService> services,
      List<VirtualService> virtualServices,
      List<DestinationRule> destinationRules,
      MeshSettings settings,
      List<RateLimit> rateLimits) {
    this(generation, services, virtualServices, destinationRules, settings, rateLimits, List.of());
  }

  /** A snapshot without RateLimits. */
  public MeshSnapshot(
      long generation,
      SortedMap<String, MeshService> services,
      List<VirtualService> virtualServices,
      List<DestinationRule> destinationRules,
      MeshSettings settings) {
    this(generation, services, virtualServices, destinationRules, settings, List.of());
  }

  public static MeshSnapshot of(
      long generation,
      Collection<MeshService> services,
      List<VirtualService> virtualServices,
      List<DestinationRule> destinationRules,
      MeshSettings settings) {
    return of(generation, services, virtualServices, destinationRules, settings, List.of());
  }

  public static MeshSnapshot of(
      long generation,
      Collection<MeshService> services,
      List<VirtualService> virtualServices,
      List<DestinationRule> destinationRules,
      MeshSettings settings,
      List<RateLimit> rateLimits) {
    return of(
        generation, services, virtualServices, destinationRules, settings, rateLimits, List.of());
  }

  public static MeshSnapshot of(
      long generation,
      Collection<MeshService> services,
      List<VirtualService> virtualServices,
      List<DestinationRule> destinationRules,
      MeshSettings settings,
      List<RateLimit> rateLimits,
      List<Sidecar> sidecars) {
    SortedMap<String, MeshService> byHost = new TreeMap<>();
    for (MeshService s : services) {
      byHost.put(s.hostname(), s);
    }
    return new MeshSnapshot(
        generation, byHost, virtualServices, destinationRules, settings, rateLimits, sidecars);
  }

  public static MeshSnapshot empty() {
    return new MeshSnapshot(0, new TreeMap<>(), List.of(), List.of(), MeshSettings.DEFAULT);
  }

  public Optional<MeshService> service(String hostname) {
    return Optional.ofNullable(services.get(hostname));
  }
}
