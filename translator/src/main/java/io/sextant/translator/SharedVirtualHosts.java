package io.sextant.translator;

import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.sextant.config.networking.VirtualService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The virtual hosts of one translation, shared by the route configurations of every namespace, and
 * each port's {@link PortDomains}. Each namespace gets its own route configuration per port because
 * of short names, exportTo and source matches; but a host's routes differ between two namespaces
 * only when they see different VirtualServices for it or a route matches on the source. In a mesh
 * of 10,000 services in 10 namespaces this builds each host's routes once instead of ten times, and
 * the namespaces other than the host's own get the very same virtual host object.
 *
 * <p>A virtual host is reused for the same lookup (the same index, the same set of cluster names,
 * both by identity), the same proxy kind, host and port, and the very same VirtualServices. What
 * building it reported is reported again on every reuse, so each route configuration records its
 * own diagnostics.
 */
final class SharedVirtualHosts {
  private final Map<MeshIndex, Map<Set<String>, Map<Key, Built>>> byLookup =
      new IdentityHashMap<>();

  private final Map<MeshIndex, Map<Integer, PortDomains>> domains = new IdentityHashMap<>();

  private record Key(ProxyKind kind, String host, int port) {}

  /** The HTTP services of {@code port} that {@code index} holds, and their domains. */
  PortDomains domains(MeshIndex index, int port) {
    return domains
        .computeIfAbsent(index, i -> new HashMap<>())
        .computeIfAbsent(
            port,
            p ->
                new PortDomains(
                    index.servicesOnPort(p).stream()
                        .filter(e -> e.getValue().protocol().isHttp())
                        .toList(),
                    p,
                    index.mesh().settings().clusterDomain()));
  }

  /** A virtual host as first built, and as given each list of domains asked for so far. */
  private record Built(
      List<VirtualService> rules,
      VirtualHost first,
      List<Diagnostic> reported,
      Map<List<String>, VirtualHost> byDomains) {}

  /**
   * The virtual host {@code build} makes for {@code host} on {@code port} with {@code domains}.
   * Built once for all proxies of {@code kind} that see exactly {@code rules} through {@code index}
   * and {@code clusters}, then given another list of domains once per list (every namespace but the
   * host's own usually gets the same); built afresh every time when a route of {@code rules}
   * matches on the source.
   */
  VirtualHost get(
      MeshIndex index,
      Set<String> clusters,
      ProxyKind kind,
      String host,
      int port,
      List<VirtualService> rules,
      List<String> domains,
      Diagnostics diagnostics,
      Function<List<String>, VirtualHost> build) {
    if (rules.stream().anyMatch(VirtualService::selectsSource)) {
      return build.apply(domains);
    }
    Map<Key, Built> hosts =
        byLookup
            .computeIfAbsent(index, i -> new IdentityHashMap<>())
            .computeIfAbsent(clusters, c -> new HashMap<>());
    Key key = new Key(kind, host, port);
    Built built = hosts.get(key);
    if (built != null && sameRules(built.rules(), rules)) {
      diagnostics.addAll(built.reported());
      return built.byDomains().computeIfAbsent(domains, d -> withDomains(built.first(), d));
    }
    List<Diagnostic> reported = new ArrayList<>();
    VirtualHost vhost = diagnostics.record(() -> build.apply(domains), reported);
    if (built == null) {
      Map<List<String>, VirtualHost> byDomains = new HashMap<>();
      byDomains.put(domains, vhost);
      hosts.put(key, new Built(List.copyOf(rules), vhost, List.copyOf(reported), byDomains));
    }
    return vhost;
  }

  /** {@code vhost} with {@code domains} instead of its own. */
  private static VirtualHost withDomains(VirtualHost vhost, List<String> domains) {
    return vhost.toBuilder().clearDomains().addAllDomains(domains).build();
  }

  /** The same VirtualService objects in the same order (records compare deeply; this need not). */
  private static boolean sameRules(List<VirtualService> a, List<VirtualService> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
