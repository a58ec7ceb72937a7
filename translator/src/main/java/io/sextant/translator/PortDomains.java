package io.sextant.translator;

import io.sextant.model.Hostnames;
import io.sextant.model.MeshService;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP services of one port and the domains of their virtual hosts, worked out once per
 * translation for every namespace. A virtual host's domains are its hostname with and without the
 * port, then its Kubernetes short names and virtual IPs, each only if no earlier virtual host of
 * the route configuration claimed it (Envoy rejects a domain listed twice). Short names depend on
 * the proxy's namespace only through one question, whether the service is in it, so each service
 * has two lists, and only services whose names could be claimed twice need the claiming done per
 * namespace.
 */
final class PortDomains {
  private final List<Map.Entry<MeshService, ServicePort>> http;

  /** Per service: the namespace from which its bare name resolves, or null if none does. */
  private final List<String> homes;

  /** Per service: whether some of its aliases could be claimed by another virtual host. */
  private final boolean[] contested;

  /** Per service: its hostname with and without the port (unless another service has them). */
  private final List<List<String>> own = new ArrayList<>();

  /**
   * Per service: its aliases (short names and virtual IPs, each also with the port) as seen from
   * its own namespace; from any other namespace the same without the first two, the bare name.
   */
  private final List<List<String>> homeAliases = new ArrayList<>();

  /**
   * Per service, filled in when first asked for: its domains from its own namespace, from others.
   */
  private final List<List<String>> atHome;

  private final List<List<String>> away;

  PortDomains(List<Map.Entry<MeshService, ServicePort>> http, int port, String clusterDomain) {
    this.http = List.copyOf(http);
    int n = http.size();
    this.homes =
        http.stream()
            .map(e -> Hostnames.kubernetesNamespace(e.getKey().hostname(), clusterDomain))
            .map(ns -> ns.orElse(null))
            .toList();
    this.contested = new boolean[n];
    this.atHome = new ArrayList<>(Collections.nCopies(n, null));
    this.away = new ArrayList<>(Collections.nCopies(n, null));
    // Who first claims each domain: HOSTNAME for a service's own hostname, else the service's
    // index.
    Map<String, Integer> claims = new HashMap<>();
    for (Map.Entry<MeshService, ServicePort> e : http) {
      String host = e.getKey().hostname();
      List<String> mine = new ArrayList<>(2);
      for (String d : List.of(host, Names.hostPort(host, port))) {
        if (claims.putIfAbsent(d, HOSTNAME) == null) {
          mine.add(d);
        }
      }
      own.add(mine);
    }
    for (int i = 0; i < n; i++) {
      MeshService service = http.get(i).getKey();
      List<String> vips =
          service.service().addresses().stream().filter(a -> !a.contains("/")).toList();
      String home = homes.get(i) == null ? "" : homes.get(i);
      List<String> aliases =
          withPort(Hostnames.shortForms(service.hostname(), home, clusterDomain), vips, port);
      homeAliases.add(aliases);
      for (String alias : aliases) {
        Integer earlier = claims.putIfAbsent(alias, i);
        if (earlier != null) { // another hostname, another alias, or listed twice by itself
          contested[i] = true;
          if (earlier != HOSTNAME) {
            contested[earlier] = true;
          }
        }
      }
    }
  }

  private static final int HOSTNAME = -1;

  /** The aliases of service {@code i} from {@code namespace}: without the bare name elsewhere. */
  private List<String> aliases(int i, boolean home) {
    List<String> aliases = homeAliases.get(i);
    return home || homes.get(i) == null ? aliases : aliases.subList(2, aliases.size());
  }

  /** The HTTP services on the port, in hostname order. */
  List<Map.Entry<MeshService, ServicePort>> services() {
    return http;
  }

  /** The domains of each service's virtual host in a route configuration for {@code namespace}. */
  List<List<String>> forNamespace(String namespace) {
    List<List<String>> result = new ArrayList<>(http.size());
    Set<String> claimed = null; // the contested aliases claimed so far
    for (int i = 0; i < http.size(); i++) {
      boolean home = namespace.equals(homes.get(i));
      if (!contested[i]) {
        List<List<String>> lists = home ? atHome : away;
        if (lists.get(i) == null) {
          lists.set(i, concat(own.get(i), aliases(i, home)));
        }
        result.add(lists.get(i));
        continue;
      }
      if (claimed == null) {
        claimed = new HashSet<>();
        own.forEach(claimed::addAll);
      }
      List<String> domains = new ArrayList<>(own.get(i));
      for (String alias : aliases(i, home)) {
        if (claimed.add(alias)) {
          domains.add(alias);
        }
      }
      result.add(domains);
    }
    return result;
  }

  /** Each alias, then it with the port. */
  private static List<String> withPort(List<String> shortForms, List<String> vips, int port) {
    List<String> result = new ArrayList<>();
    for (String alias : shortForms) {
      result.add(alias);
      result.add(Names.hostPort(alias, port));
    }
    for (String vip : vips) {
      result.add(vip);
      result.add(Names.hostPort(vip, port));
    }
    return List.copyOf(result);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
