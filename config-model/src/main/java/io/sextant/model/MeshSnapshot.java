package io.sextant.model;

import io.sextant.config.ResourceMeta;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
    SortedMap<String, MeshService> byHost;
    if (inHostnameOrder(services)) {
      // The canonical constructor copies this view in linear time: a registry hands its services
      // over sorted, and putting 10,000 of them one by one was a twentieth of the control plane's
      // CPU under endpoint churn in mesh-10k (each endpoint change builds a new snapshot).
      byHost = new SortedServices(services);
    } else {
      byHost = new TreeMap<>();
      for (MeshService s : services) {
        byHost.put(s.hostname(), s); // the last of a hostname wins
      }
    }
    return new MeshSnapshot(
        generation, byHost, virtualServices, destinationRules, settings, rateLimits, sidecars);
  }

  /** Whether each service's hostname sorts strictly after the one before (so none repeats). */
  private static boolean inHostnameOrder(Collection<MeshService> services) {
    String last = null;
    for (MeshService s : services) {
      if (last != null && last.compareTo(s.hostname()) >= 0) {
        return false;
      }
      last = s.hostname();
    }
    return true;
  }

  /**
   * Services already in hostname order, without repeats, seen as the sorted map that {@link
   * TreeMap#TreeMap(SortedMap)} builds from in linear time, without comparing keys. Only that copy
   * reads it.
   */
  private static final class SortedServices extends AbstractMap<String, MeshService>
      implements SortedMap<String, MeshService> {
    private final Collection<MeshService> services;

    SortedServices(Collection<MeshService> services) {
      this.services = services;
    }

    @Override
    public Set<Map.Entry<String, MeshService>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<String, MeshService>> iterator() {
          Iterator<MeshService> i = services.iterator();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return i.hasNext();
            }

            @Override
            public Map.Entry<String, MeshService> next() {
              MeshService s = i.next();
              return new SimpleImmutableEntry<>(s.hostname(), s);
            }
          };
        }

        @Override
        public int size() {
          return services.size();
        }
      };
    }

    @Override
    public Comparator<? super String> comparator() {
      return null; // natural order, as the TreeMap it is copied into
    }

    @Override
    public SortedMap<String, MeshService> subMap(String from, String to) {
      throw new UnsupportedOperationException("only copied");
    }

    @Override
    public SortedMap<String, MeshService> headMap(String to) {
      throw new UnsupportedOperationException("only copied");
    }

    @Override
    public SortedMap<String, MeshService> tailMap(String from) {
      throw new UnsupportedOperationException("only copied");
    }

    @Override
    public String firstKey() {
      throw new UnsupportedOperationException("only copied");
    }

    @Override
    public String lastKey() {
      throw new UnsupportedOperationException("only copied");
    }
  }

  public static MeshSnapshot empty() {
    return new MeshSnapshot(0, new TreeMap<>(), List.of(), List.of(), MeshSettings.DEFAULT);
  }

  public Optional<MeshService> service(String hostname) {
    return Optional.ofNullable(services.get(hostname));
  }
}
