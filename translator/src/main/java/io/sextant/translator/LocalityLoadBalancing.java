package io.sextant.translator;

import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.LoadBalancer;
import io.sextant.config.networking.LoadBalancer.LocalityLb;
import io.sextant.config.networking.LoadBalancer.LocalityLb.PriorityLabel;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.TrafficPolicy;
import io.sextant.model.Endpoint;
import io.sextant.model.Locality;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * DestinationRule {@code localityLbSetting} for an Envoy sidecar, relative to the sidecar's own
 * locality and labels, as Istio applies it: {@code distribute} splits traffic over localities by
 * weight; otherwise, with outlier detection set (without it Envoy never leaves a priority),
 * endpoints are ranked, by {@code failoverPriority} (how many of its labels, from the first, the
 * endpoint shares with the sidecar) and then by closeness (same zone and subzone, same zone, same
 * region, the {@code failover} region, anywhere else), the latter only without {@code
 * failoverPriority} or with an explicit {@code failover}. All of this rewrites the endpoints before
 * the assignment is built: ranks become priorities (below any registry priority), shares become
 * endpoint weights.
 */
final class LocalityLoadBalancing {
  /** Ranks per registry priority: subzone, zone, region, failover region, elsewhere. */
  private static final int RANKS = 5;

  /** Endpoint weights of a locality add up to about its share of this many. */
  private static final int SCALE = 1000;

  private LocalityLoadBalancing() {}

  /**
   * What the endpoints of a sidecar depend on: its locality, and the values of the labels that some
   * {@code failoverPriority} compares with the sidecar's.
   */
  record Client(Locality locality, Map<String, String> labels) {
    Client {
      Objects.requireNonNull(locality, "locality");
      labels = Map.copyOf(labels);
    }

    /** The sidecar's value for a {@code failoverPriority} label; topology labels from locality. */
    String value(String key) {
      return locality.part(key).orElseGet(() -> labels.getOrDefault(key, ""));
    }

    /** Tells layers apart: equal for sidecars whose endpoints are ranked the same. */
    String key() {
      return locality + (labels.isEmpty() ? "" : "|" + new TreeMap<>(labels));
    }
  }

  /**
   * What the DestinationRules of a mesh rank endpoints by.
   *
   * @param used some rule ranks or weights endpoints for the sidecar
   * @param byLabels some rule has a {@code failoverPriority}
   * @param labelKeys the labels whose values some {@code failoverPriority} takes from the sidecar
   */
  record Inputs(boolean used, boolean byLabels, Set<String> labelKeys) {
    Inputs {
      labelKeys = Set.copyOf(labelKeys);
    }

    /**
     * What of {@code proxy} its endpoints depend on; empty when it gets the shared ones: nothing
     * ranks endpoints, or the proxy has neither a locality nor (with a {@code failoverPriority})
     * labels to compare. (Istio likewise skips {@code failoverPriority} for a proxy without labels;
     * its proxies carry their locality as labels.)
     */
    Optional<Client> of(ProxyContext proxy) {
      boolean located = !proxy.locality().equals(Locality.UNKNOWN);
      if (!used || !(located || (byLabels && !proxy.labels().isEmpty()))) {
        return Optional.empty();
      }
      Map<String, String> labels = new TreeMap<>(proxy.labels());
      labels.keySet().retainAll(labelKeys);
      return Optional.of(new Client(proxy.locality(), labels));
    }
  }

  /** What the DestinationRules in {@code index} rank endpoints by. */
  static Inputs inputs(MeshIndex index) {
    boolean used = false;
    boolean byLabels = false;
    Set<String> keys = new TreeSet<>();
    for (DestinationRule dr : index.mesh().destinationRules()) {
      for (TrafficPolicy p : effectivePolicies(dr)) {
        Optional<LocalityLb> lb = settings(p);
        if (lb.isEmpty()) {
          continue;
        }
        used = true;
        for (PriorityLabel label : lb.get().failoverPriority()) {
          byLabels = true;
          if (label.value().isEmpty() && Locality.UNKNOWN.part(label.key()).isEmpty()) {
            keys.add(label.key());
          }
        }
      }
    }
    return new Inputs(used, byLabels, keys);
  }

  /**
   * Every policy {@code dr} can give a cluster: per subset (or none) and per port named in some
   * {@code portLevelSettings} (or any other, 0), merged as {@link DestinationRule#policyFor} does.
   */
  private static List<TrafficPolicy> effectivePolicies(DestinationRule dr) {
    Set<Integer> ports = new TreeSet<>(List.of(0));
    dr.trafficPolicy().portLevelSettings().forEach(p -> ports.add(p.port()));
    List<String> subsets = new ArrayList<>(List.of(""));
    for (Subset s : dr.subsets()) {
      subsets.add(s.name());
      s.trafficPolicy().portLevelSettings().forEach(p -> ports.add(p.port()));
    }
    List<TrafficPolicy> policies = new ArrayList<>();
    for (String subset : subsets) {
      for (int port : ports) {
        policies.add(dr.policyFor(subset, port));
      }
    }
    return policies;
  }

  /**
   * Reports failover settings that do nothing because {@code policy} has no outlier detection
   * (Istio warns about the same).
   */
  static void check(TrafficPolicy policy, String subject, Diagnostics diagnostics) {
    policy
        .loadBalancer()
        .flatMap(LoadBalancer::locality)
        .filter(l -> !l.enabled().equals(Optional.of(false)))
        .filter(l -> !l.failover().isEmpty() || !l.failoverPriority().isEmpty())
        .filter(l -> policy.outlierDetection().isEmpty())
        .ifPresent(
            l ->
                diagnostics.add(
                    subject,
                    "localityLbSetting: failover and failoverPriority take effect only with"
                        + " outlierDetection, as in Istio; endpoints are not ranked"));
  }

  /** The locality settings of {@code policy} that change anything. */
  private static Optional<LocalityLb> settings(TrafficPolicy policy) {
    return policy
        .loadBalancer()
        .flatMap(LoadBalancer::locality)
        .filter(l -> !l.enabled().equals(Optional.of(false)))
        .filter(l -> !l.distribute().isEmpty() || policy.outlierDetection().isPresent());
  }

  /** {@code endpoints} as {@code client} should see them under {@code policy}. */
  static List<Endpoint> apply(List<Endpoint> endpoints, TrafficPolicy policy, Client client) {
    Optional<LocalityLb> lb = settings(policy);
    if (lb.isEmpty()) {
      return endpoints;
    }
    Locality proxy = client.locality();
    boolean located = !proxy.equals(Locality.UNKNOWN);
    if (!lb.get().distribute().isEmpty()) {
      if (!located) {
        return endpoints;
      }
      for (LocalityLb.Distribute d : lb.get().distribute()) {
        if (matches(d.from(), proxy)) {
          return distribute(endpoints, d.to());
        }
      }
      return endpoints;
    }
    List<PriorityLabel> labels = lb.get().failoverPriority();
    List<Endpoint> ranked = endpoints;
    if (!labels.isEmpty()) {
      // Istio ranks by locality too only when failover is given explicitly.
      ranked = new ArrayList<>(endpoints.size());
      for (Endpoint e : endpoints) {
        int rank = labelRank(e, labels, client);
        ranked.add(e.withPriority(e.priority() * (labels.size() + 1) + rank));
      }
      if (lb.get().failover().isEmpty()) {
        return ranked;
      }
    }
    if (!located) {
      return ranked;
    }
    Optional<String> failoverRegion =
        lb.get().failover().stream()
            .filter(f -> f.from().equals(proxy.region()))
            .map(LocalityLb.Failover::to)
            .findFirst();
    List<Endpoint> result = new ArrayList<>(ranked.size());
    for (Endpoint e : ranked) {
      result.add(e.withPriority(e.priority() * RANKS + rank(e.locality(), proxy, failoverRegion)));
    }
    return result;
  }

  /**
   * Istio's {@code failoverPriority} rank: 0 when the endpoint has all {@code labels} as the client
   * (or the given value), then one more for each label missed from the end; a label counts only
   * when all before it match. Topology labels compare localities; a label absent on both sides
   * matches, as in Istio.
   */
  private static int labelRank(Endpoint e, List<PriorityLabel> labels, Client client) {
    int matched = 0;
    for (PriorityLabel label : labels) {
      String wanted = label.value().orElseGet(() -> client.value(label.key()));
      if (!wanted.equals(value(e, label.key()))) {
        break;
      }
      matched++;
    }
    return labels.size() - matched;
  }

  /** An endpoint's value for a label: topology labels from its locality, as subsets see origin. */
  private static String value(Endpoint e, String key) {
    return e.locality()
        .part(key)
        .orElseGet(
            () ->
                key.equals(Endpoint.ORIGIN_LABEL) ? e.origin() : e.labels().getOrDefault(key, ""));
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
