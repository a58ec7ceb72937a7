package io.sextant.translator;

import io.sextant.model.Hostnames;
import io.sextant.model.MeshService;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
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

  /** Per service: the domains seen from its own namespace, and from any other. */
  private final List<List<String>> atHome = new ArrayList<>();

  private final List<List<String>> away = new ArrayList<>();

  /** Per service: whether some of its aliases could be claimed by another virtual host. */
  private final boolean[] contested;

  /** Per service: its hostname domains, then its aliases from its own namespace (a superset). */
  private final List<List<String>> own = new ArrayList<>();

  private final List<List<String>> homeAliases = new ArrayList<>();
  private final List<List<String>> awayAliases = new ArrayList<>();

  PortDomains(List<Map.Entry<MeshService, ServicePort>> http, int port, String clusterDomain) {
    this.http = List.copyOf(http);
    this.homes =
        http.stream()
            .map(e -> Hostnames.kubernetesNamespace(e.getKey().hostname(), clusterDomain))
            .map(n -> n.orElse(null))
            .toList();
    this.contested = new boolean[http.size()];
    Set<String> claimed = new HashSet<>();
    for (Map.Entry<MeshService, ServicePort> e : http) {
      String host = e.getKey().hostname();
      List<String> mine = new ArrayList<>();
      for (String d : List.of(host, Names.hostPort(host, port))) {
        if (claimed.add(d)) {
          mine.add(d);
        }
      }
      own.add(List.copyOf(mine));
    }
    Map<String, Integer> aliasUses = new HashMap<>();
    for (int i = 0; i < http.size(); i++) {
      MeshService service = http.get(i).getKey();
      List<String> vips =
          service.service().addresses().stream().filter(a -> !a.contains("/")).toList();
      String home = homes.get(i) == null ? "" : homes.get(i);
      homeAliases.add(
          withPort(Hostnames.shortForms(service.hostname(), home, clusterDomain), vips, port));
      awayAliases.add(
          withPort(Hostnames.shortForms(service.hostname(), null, clusterDomain), vips, port));
      Set<String> distinct = new HashSet<>(homeAliases.get(i));
      contested[i] = distinct.size() < homeAliases.get(i).size(); // listed twice by itself
      for (String alias : distinct) {
        aliasUses.merge(alias, 1, Integer::sum);
      }
    }
    for (int i = 0; i < http.size(); i++) {
      for (String alias : homeAliases.get(i)) {
        contested[i] |= claimed.contains(alias) || aliasUses.get(alias) > 1;
      }
      atHome.add(concat(own.get(i), homeAliases.get(i)));
      away.add(concat(own.get(i), awayAliases.get(i)));
    }
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
        result.add(home ? atHome.get(i) : away.get(i));
        continue;
      }
      if (claimed == null) {
        claimed = new HashSet<>();
        own.forEach(claimed::addAll);
      }
      List<String> domains = new ArrayList<>(own.get(i));
      for (String alias : home ? homeAliases.get(i) : awayAliases.get(i)) {
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
