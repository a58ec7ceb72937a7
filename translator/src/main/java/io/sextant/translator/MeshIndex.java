package io.sextant.translator;

import io.sextant.config.ResourceMeta;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import io.sextant.model.Hostnames;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSnapshot;
import io.sextant.model.ServicePort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Lookups derived from a {@link MeshSnapshot}: which VirtualService and DestinationRule apply to
 * each service, which services share a port. Built once per translation; immutable after.
 *
 * <p>DestinationRules: one per host, as in Istio: an exact host beats a wildcard, a longer wildcard
 * beats a shorter one, and between equals the first by namespace/name wins; the others are
 * reported.
 *
 * <p>VirtualServices: among those a proxy's namespace sees ({@code exportTo}), the most specific
 * host pattern wins as above, and VirtualServices with equally specific patterns are merged: their
 * routes are tried in namespace/name order (Istio merges in creation order).
 */
public final class MeshIndex {
  private final MeshSnapshot mesh;

  /** The Sidecar whose egress hosts this view is limited to; empty for the whole mesh. */
  private final Optional<Sidecar> scope;

  /** The view of the whole mesh this one is cut from ({@code this} when it is that view). */
  private final MeshIndex whole;

  /** The services this view holds, in hostname order. */
  private final Collection<MeshService> services;

  /** Every VirtualService matching each host, by descending specificity, then namespace/name. */
  private final Map<String, List<Candidate>> virtualServicesByHost;

  private final boolean scopedVirtualServices;
  private final boolean sourceSelectingRoutes;
  private final Map<String, DestinationRule> destinationRuleByHost;
  private final Map<String, List<RateLimit>> rateLimitsByHost;

  /** Services by port number, each list in hostname order: every route config walks these. */
  private final SortedMap<Integer, List<Map.Entry<MeshService, ServicePort>>> servicesByPort =
      new TreeMap<>();

  private MeshIndex(MeshSnapshot mesh, Diagnostics diagnostics) {
    this.mesh = mesh;
    this.scope = Optional.empty();
    this.whole = this;
    this.services = mesh.services().values();
    this.virtualServicesByHost = new HashMap<>();
    this.destinationRuleByHost = new HashMap<>();
    this.rateLimitsByHost = new HashMap<>();
    // Built for every translation, so for every endpoint change: the list of the port met last is
    // reused without a lookup. A service's port numbers are unique (Service checks).
    int lastPort = -1;
    List<Map.Entry<MeshService, ServicePort>> lastList = null;
    for (MeshService s : mesh.services().values()) {
      for (ServicePort p : s.service().ports()) {
        if (lastList == null || p.number() != lastPort) {
          lastPort = p.number();
          lastList = servicesByPort.computeIfAbsent(lastPort, n -> new ArrayList<>());
        }
        lastList.add(Map.entry(s, p));
      }
    }
    for (VirtualService vs : mesh.virtualServices()) {
      if (!candidates(vs, diagnostics)) {
        diagnostics.add(
            vs.meta(), "no service matches hosts " + vs.hosts() + "; the rule has no effect");
      }
    }
    virtualServicesByHost
        .values()
        .forEach(l -> l.sort(Comparator.comparingInt(Candidate::specificity).reversed()));
    scopedVirtualServices = mesh.virtualServices().stream().anyMatch(vs -> !vs.visibleToAll());
    sourceSelectingRoutes = mesh.virtualServices().stream().anyMatch(VirtualService::selectsSource);
    virtualServicesByHost.forEach((host, list) -> reportMerges(host, list, diagnostics));
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

  /**
   * The view of {@code all} that a sidecar selected by {@code sidecar} has: only the services its
   * egress hosts import. Rules are bound as in the whole mesh; a rule's destination that is not
   * imported is, for this view, not a service.
   */
  private MeshIndex(MeshIndex all, Sidecar sidecar) {
    this.mesh = all.mesh;
    this.scope = Optional.of(sidecar);
    this.whole = all;
    this.services = all.services.stream().filter(s -> imports(sidecar, s)).toList();
    this.virtualServicesByHost = all.virtualServicesByHost;
    this.scopedVirtualServices = all.scopedVirtualServices;
    this.sourceSelectingRoutes = all.sourceSelectingRoutes;
    this.destinationRuleByHost = all.destinationRuleByHost;
    this.rateLimitsByHost = all.rateLimitsByHost;
    all.servicesByPort.forEach(
        (port, list) -> {
          List<Map.Entry<MeshService, ServicePort>> kept =
              list.stream().filter(e -> imports(sidecar, e.getKey())).toList();
          if (!kept.isEmpty()) {
            servicesByPort.put(port, kept);
          }
        });
  }

  public static MeshIndex of(MeshSnapshot mesh, Diagnostics diagnostics) {
    return new MeshIndex(mesh, diagnostics);
  }

  /** This mesh as sidecars selected by {@code sidecar} see it. */
  public MeshIndex scopedTo(Sidecar sidecar) {
    return new MeshIndex(whole, sidecar);
  }

  private static boolean imports(Sidecar sidecar, MeshService s) {
    return sidecar.imports(s.service().namespace(), s.hostname());
  }

  /**
   * The Sidecar that keeps {@code hostname} out of this view, if the mesh has such a service but
   * the view's Sidecar does not import it.
   */
  public Optional<Sidecar> notImporting(String hostname) {
    return scope.filter(sc -> mesh.service(hostname).filter(s -> !imports(sc, s)).isPresent());
  }

  public MeshSnapshot mesh() {
    return mesh;
  }

  public Iterable<MeshService> services() {
    return services;
  }

  /** The service named {@code hostname}, if this view holds it. */
  public Optional<MeshService> service(String hostname) {
    return mesh.service(hostname).filter(s -> scope.isEmpty() || imports(scope.get(), s));
  }

  public String qualify(String host, String namespace) {
    return mesh.settings().qualify(host, namespace);
  }

  /**
   * The VirtualServices that route {@code hostname} for proxies in {@code namespace}: the visible
   * ones with the most specific host pattern, in the order their routes are tried.
   */
  public List<VirtualService> virtualServices(String hostname, String namespace) {
    List<VirtualService> result = new ArrayList<>();
    int best = -1;
    for (Candidate c : virtualServicesByHost.getOrDefault(hostname, List.of())) {
      if (!c.vs().visibleTo(namespace) || c.specificity() < best) {
        continue;
      }
      best = c.specificity();
      result.add(c.vs());
    }
    return result;
  }

  /**
   * Whether some VirtualService is not seen by every namespace, so routing differs by namespace.
   */
  public boolean scopedVirtualServices() {
    return scopedVirtualServices;
  }

  /** Whether some HTTP route is only for workloads with certain labels or in a namespace. */
  public boolean sourceSelectingRoutes() {
    return sourceSelectingRoutes;
  }

  private record Candidate(VirtualService vs, int specificity) {}

  /** Records {@code vs} for every host it matches; false when it matches none. */
  private boolean candidates(VirtualService vs, Diagnostics diagnostics) {
    boolean matchedAny = false;
    Map<String, Integer> best = new HashMap<>();
    for (String written : vs.hosts()) {
      String pattern = qualify(written, vs.meta().namespace());
      int score = specificity(pattern);
      Iterable<MeshService> candidates =
          pattern.startsWith("*") ? services() : service(pattern).stream().toList();
      for (MeshService s : candidates) {
        if (Hostnames.matches(pattern, s.hostname())) {
          matchedAny = true;
          best.merge(s.hostname(), score, Math::max);
        }
      }
    }
    best.forEach(
        (host, score) ->
            virtualServicesByHost
                .computeIfAbsent(host, h -> new ArrayList<>())
                .add(new Candidate(vs, score)));
    return matchedAny;
  }

  /**
   * Reports, for the view of a namespace that sees every rule, VirtualServices that a more specific
   * one hides, and merged routes that an earlier catch-all route makes unreachable.
   */
  private static void reportMerges(String host, List<Candidate> list, Diagnostics diagnostics) {
    List<Candidate> global = list.stream().filter(c -> c.vs().visibleToAll()).toList();
    if (global.isEmpty()) {
      return;
    }
    int best = global.get(0).specificity();
    VirtualService catchAll = null;
    for (Candidate c : global) {
      if (c.specificity() < best) {
        shadowed(diagnostics, c.vs().meta(), host, global.get(0).vs().meta());
        continue;
      }
      if (catchAll != null && !c.vs().http().isEmpty()) {
        diagnostics.add(
            c.vs().meta(),
            "its HTTP routes for host "
                + host
                + " are merged after a route of "
                + catchAll.meta().qualifiedName()
                + " that matches every request; they are never used");
      }
      if (catchAll == null && c.vs().http().stream().anyMatch(r -> r.match().isEmpty())) {
        catchAll = c.vs();
      }
    }
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
