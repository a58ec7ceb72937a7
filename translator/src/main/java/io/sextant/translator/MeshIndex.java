package io.sextant.translator;

import io.sextant.config.ResourceMeta;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import io.sextant.model.Hostnames;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSnapshot;
import io.sextant.model.ServicePort;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Lookups derived from a {@link MeshSnapshot}: which VirtualService and DestinationRule apply to
 * each service, which services share a port. Built once per translation; immutable after.
 *
 * <p>One rule per host, as in Istio: an exact host beats a wildcard, a longer wildcard beats a
 * shorter one, and between equals the first by namespace/name wins; the others are reported.
 */
public final class MeshIndex {
  private final MeshSnapshot mesh;
  private final Map<String, VirtualService> virtualServiceByHost = new HashMap<>();
  private final Map<String, DestinationRule> destinationRuleByHost = new HashMap<>();
  private final Map<String, List<RateLimit>> rateLimitsByHost = new HashMap<>();

  /** Services by port number, each list in hostname order: every route config walks these. */
  private final SortedMap<Integer, List<Map.Entry<MeshService, ServicePort>>> servicesByPort =
      new TreeMap<>();

  private MeshIndex(MeshSnapshot mesh, Diagnostics diagnostics) {
    this.mesh = mesh;
    for (MeshService s : mesh.services().values()) {
      Set<Integer> seen = new HashSet<>();
      for (ServicePort p : s.service().ports()) {
        if (seen.add(p.number())) { // as Service.port(number): the first port so numbered
          servicesByPort.computeIfAbsent(p.number(), n -> new ArrayList<>()).add(Map.entry(s, p));
        }
      }
    }
    bind(
        mesh.virtualServices(),
        VirtualService::meta,
        VirtualService::hosts,
        virtualServiceByHost,
        diagnostics);
    bind(
        mesh.destinationRules(),
        DestinationRule::meta,
        dr -> List.of(dr.host()),
        destinationRuleByHost,
        diagnostics);
    bindRateLimits(diagnostics);
  }

  /** Unlike routing rules, several RateLimits may apply to one host; each gets its bucket. */
  private void bindRateLimits(Diagnostics diagnostics) {
    for (RateLimit limit : mesh.rateLimits()) {
      String pattern = qualify(limit.host(), limit.meta().namespace());
      Iterable<MeshService> candidates =
          pattern.startsWith("*") ? services() : service(pattern).stream().toList();
      boolean matchedAny = false;
      for (MeshService s : candidates) {
        if (Hostnames.matches(pattern, s.hostname())) {
          rateLimitsByHost.computeIfAbsent(s.hostname(), h -> new ArrayList<>()).add(limit);
          matchedAny = true;
        }
      }
      if (!matchedAny) {
        diagnostics.add(
            limit.meta(), "no service matches host " + pattern + "; the rule has no effect");
      }
    }
  }

  public static MeshIndex of(MeshSnapshot mesh, Diagnostics diagnostics) {
    return new MeshIndex(mesh, diagnostics);
  }

  public MeshSnapshot mesh() {
    return mesh;
  }

  public Iterable<MeshService> services() {
    return mesh.services().values();
  }

  public Optional<MeshService> service(String hostname) {
    return mesh.service(hostname);
  }

  public String qualify(String host, String namespace) {
    return mesh.settings().qualify(host, namespace);
  }

  public Optional<VirtualService> virtualService(String hostname) {
    return Optional.ofNullable(virtualServiceByHost.get(hostname));
  }

  public Optional<DestinationRule> destinationRule(String hostname) {
    return Optional.ofNullable(destinationRuleByHost.get(hostname));
  }

  /** The RateLimits for {@code hostname}, ordered by namespace then name. */
  public List<RateLimit> rateLimits(String hostname) {
    return Collections.unmodifiableList(rateLimitsByHost.getOrDefault(hostname, List.of()));
  }

  /** The subsets the DestinationRule for {@code hostname} defines, in the rule's order. */
  public List<Subset> subsets(String hostname) {
    return destinationRule(hostname).map(DestinationRule::subsets).orElse(List.of());
  }

  /** Every port number some service uses, ascending. */
  public SortedSet<Integer> ports() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(servicesByPort.keySet()));
  }

  /** Services with a port numbered {@code port}, in hostname order, each with that port. */
  public List<Map.Entry<MeshService, ServicePort>> servicesOnPort(int port) {
    return Collections.unmodifiableList(servicesByPort.getOrDefault(port, List.of()));
  }

  private <R> void bind(
      List<R> rules,
      Function<R, ResourceMeta> meta,
      Function<R, List<String>> hosts,
      Map<String, R> byHost,
      Diagnostics diagnostics) {
    Map<String, Integer> specificity = new HashMap<>();
    for (R rule : rules) {
      ResourceMeta m = meta.apply(rule);
      boolean matchedAny = false;
      for (String written : hosts.apply(rule)) {
        String pattern = qualify(written, m.namespace());
        int score = specificity(pattern);
        // An exact host is one lookup; only wildcards need to look at every service.
        Iterable<MeshService> candidates =
            pattern.startsWith("*") ? services() : service(pattern).stream().toList();
        for (MeshService s : candidates) {
          if (!Hostnames.matches(pattern, s.hostname())) {
            continue;
          }
          matchedAny = true;
          R current = byHost.get(s.hostname());
          if (current == null || score > specificity.get(s.hostname())) {
            if (current != null) {
              shadowed(diagnostics, meta.apply(current), s.hostname(), m);
            }
            byHost.put(s.hostname(), rule);
            specificity.put(s.hostname(), score);
          } else if (current != rule) {
            shadowed(diagnostics, m, s.hostname(), meta.apply(current));
          }
        }
      }
      if (!matchedAny) {
        diagnostics.add(
            m, "no service matches hosts " + hosts.apply(rule) + "; the rule has no effect");
      }
    }
  }

  private static void shadowed(
      Diagnostics d, ResourceMeta loser, String host, ResourceMeta winner) {
    d.add(
        loser, "ignored for host " + host + ": " + winner.qualifiedName() + " applies to it first");
  }

  /** Exact hosts rank above every wildcard; longer wildcards rank above shorter ones. */
  private static int specificity(String pattern) {
    return pattern.startsWith("*") ? pattern.length() : Integer.MAX_VALUE;
  }
}
