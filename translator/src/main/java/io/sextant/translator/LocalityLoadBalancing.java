package io.sextant.translator;

import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.LoadBalancer;
import io.sextant.config.networking.LoadBalancer.LocalityLb;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.TrafficPolicy;
import io.sextant.model.Endpoint;
import io.sextant.model.Locality;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * DestinationRule {@code localityLbSetting} for an Envoy sidecar, relative to the sidecar's own
 * locality, as Istio applies it: {@code distribute} splits traffic over localities by weight;
 * otherwise, with outlier detection set (without it Envoy never leaves a priority), endpoints are
 * ranked by how close they are (same zone and subzone, same zone, same region, the {@code failover}
 * region, anywhere else). Both work by rewriting the endpoints before the assignment is built:
 * ranks become priorities (below any registry priority), shares become endpoint weights.
 */
final class LocalityLoadBalancing {
  /** Ranks per registry priority: subzone, zone, region, failover region, elsewhere. */
  private static final int RANKS = 5;

  /** Endpoint weights of a locality add up to about its share of this many. */
  private static final int SCALE = 1000;

  private LocalityLoadBalancing() {}

  /** Whether any DestinationRule in {@code index} can rank endpoints by the proxy's locality. */
  static boolean usedBy(MeshIndex index) {
    for (DestinationRule dr : index.mesh().destinationRules()) {
      List<TrafficPolicy> policies = new ArrayList<>();
      policies.add(dr.trafficPolicy());
      dr.trafficPolicy().portLevelSettings().forEach(p -> policies.add(p.policy()));
      for (Subset s : dr.subsets()) {
        policies.add(s.trafficPolicy());
        s.trafficPolicy().portLevelSettings().forEach(p -> policies.add(p.policy()));
      }
      if (policies.stream().anyMatch(p -> settings(p).isPresent())) {
        return true;
      }
    }
    return false;
  }

  /** The locality settings of {@code policy} that change anything. */
  private static Optional<LocalityLb> settings(TrafficPolicy policy) {
    return policy
        .loadBalancer()
        .flatMap(LoadBalancer::locality)
        .filter(l -> !l.enabled().equals(Optional.of(false)))
        .filter(l -> !l.distribute().isEmpty() || policy.outlierDetection().isPresent());
  }

  /** {@code endpoints} as a proxy in {@code proxy} should see them under {@code policy}. */
  static List<Endpoint> apply(List<Endpoint> endpoints, TrafficPolicy policy, Locality proxy) {
    Optional<LocalityLb> lb = settings(policy);
    if (lb.isEmpty() || proxy.equals(Locality.UNKNOWN)) {
      return endpoints;
    }
    if (!lb.get().distribute().isEmpty()) {
      for (LocalityLb.Distribute d : lb.get().distribute()) {
        if (matches(d.from(), proxy)) {
          return distribute(endpoints, d.to());
        }
      }
      return endpoints;
    }
    Optional<String> failoverRegion =
        lb.get().failover().stream()
            .filter(f -> f.from().equals(proxy.region()))
            .map(LocalityLb.Failover::to)
            .findFirst();
    List<Endpoint> ranked = new ArrayList<>(endpoints.size());
    for (Endpoint e : endpoints) {
      ranked.add(e.withPriority(e.priority() * RANKS + rank(e.locality(), proxy, failoverRegion)));
    }
    return ranked;
  }

  private static int rank(Locality l, Locality proxy, Optional<String> failoverRegion) {
    if (!l.region().equals(proxy.region())) {
      return failoverRegion.isPresent() && failoverRegion.get().equals(l.region()) ? 3 : 4;
    }
    if (!l.zone().equals(proxy.zone())) {
      return 2;
    }
    return l.subzone().equals(proxy.subzone()) ? 0 : 1;
  }

  /**
   * Each {@code to} pattern's percentage is split evenly over the localities it matches (first
   * pattern wins); endpoints in localities no pattern matches receive nothing.
   */
  private static List<Endpoint> distribute(List<Endpoint> endpoints, Map<String, Integer> to) {
    Map<Locality, String> patternOf = new TreeMap<>();
    for (Endpoint e : endpoints) {
      for (String pattern : new TreeMap<>(to).keySet()) {
        if (matches(pattern, e.locality())) {
          patternOf.putIfAbsent(e.locality(), pattern);
        }
      }
    }
    Map<String, Integer> localitiesPerPattern = new LinkedHashMap<>();
    patternOf.values().forEach(p -> localitiesPerPattern.merge(p, 1, Integer::sum));
    Map<Locality, Integer> totalWeight = new TreeMap<>();
    for (Endpoint e : endpoints) {
      if (patternOf.containsKey(e.locality())) {
        totalWeight.merge(e.locality(), e.weight(), Integer::sum);
      }
    }
    List<Endpoint> result = new ArrayList<>();
    for (Endpoint e : endpoints) {
      String pattern = patternOf.get(e.locality());
      if (pattern == null || to.get(pattern) == 0) {
        continue;
      }
      double share = to.get(pattern) / 100.0 / localitiesPerPattern.get(pattern);
      long weight = Math.round(share * SCALE * e.weight() / (double) totalWeight.get(e.locality()));
      result.add(e.withWeight((int) Math.max(1, weight)));
    }
    return result;
  }

  /** Istio's locality patterns: {@code region/zone/subzone}, where {@code *} matches the rest. */
  static boolean matches(String pattern, Locality l) {
    String[] parts = pattern.split("/", -1);
    String[] values = {l.region(), l.zone(), l.subzone()};
    for (int i = 0; i < parts.length && i < 3; i++) {
      if (parts[i].equals("*")) {
        return true;
      }
      if (!parts[i].equals(values[i])) {
        return false;
      }
    }
    return true;
  }
}
