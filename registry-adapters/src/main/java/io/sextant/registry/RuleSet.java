package io.sextant.registry;

import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The routing rules one source currently holds. */
public record RuleSet(
    List<VirtualService> virtualServices,
    List<DestinationRule> destinationRules,
    List<RateLimit> rateLimits,
    List<Sidecar> sidecars) {
  public static final RuleSet EMPTY = new RuleSet(List.of(), List.of(), List.of(), List.of());

  public RuleSet {
    virtualServices = List.copyOf(virtualServices);
    destinationRules = List.copyOf(destinationRules);
    rateLimits = List.copyOf(rateLimits);
    sidecars = List.copyOf(sidecars);
  }

  /** Rules without Sidecars. */
  public RuleSet(
      List<VirtualService> virtualServices,
      List<DestinationRule> destinationRules,
      List<RateLimit> rateLimits) {
    this(virtualServices, destinationRules, rateLimits, List.of());
  }

  /** Rules without RateLimits. */
  public RuleSet(List<VirtualService> virtualServices, List<DestinationRule> destinationRules) {
    this(virtualServices, destinationRules, List.of(), List.of());
  }

  /** All rules of several sources together. */
  public static RuleSet union(Collection<RuleSet> sets) {
    List<VirtualService> vs = new ArrayList<>();
    List<DestinationRule> dr = new ArrayList<>();
    List<RateLimit> rl = new ArrayList<>();
    List<Sidecar> sc = new ArrayList<>();
    for (RuleSet s : sets) {
      vs.addAll(s.virtualServices);
      dr.addAll(s.destinationRules);
      rl.addAll(s.rateLimits);
      sc.addAll(s.sidecars);
    }
    return new RuleSet(vs, dr, rl, sc);
  }
}
