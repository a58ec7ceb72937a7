package io.sextant.config;

import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.HttpRoute;
import io.sextant.config.networking.HttpRouteDestination;
import io.sextant.config.networking.ServiceEntry;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import io.sextant.model.Hostnames;
import io.sextant.model.MeshSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks across rules that each loaded on its own: what {@code sextant validate} reports beyond the
 * schema. Errors are certain mistakes; warnings may be fine where Sextant cannot see everything
 * (hosts that a live registry would know).
 */
public final class RuleChecks {
  private RuleChecks() {}

  /** How serious a finding is. */
  public enum Severity {
    ERROR,
    WARNING
  }

  /** One finding, located. */
  public record Finding(SourceLocation location, Severity severity, String message) {
    public Finding {
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(severity, "severity");
      Objects.requireNonNull(message, "message");
    }

    /** {@code file:line:col: error|warning: message}. */
    @Override
    public String toString() {
      return location + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
    }
  }

  /**
   * @param resources every resource that loaded
   * @param knownHosts hosts of services known besides the ServiceEntries among {@code resources}
   * @param hostsKnowable whether {@code knownHosts} is everything (no registry that only a running
   *     control plane can read); if not, unknown hosts are not reported
   */
  public static List<Finding> check(
      List<ConfigResource> resources,
      Set<String> knownHosts,
      boolean hostsKnowable,
      MeshSettings mesh) {
    Set<String> hosts = new HashSet<>(knownHosts);
    Map<String, Set<String>> subsets = new HashMap<>();
    for (ConfigResource r : resources) {
      if (r instanceof ServiceEntry se) {
        hosts.addAll(se.hosts());
      } else if (r instanceof DestinationRule dr) {
        Set<String> names =
            subsets.computeIfAbsent(
                mesh.qualify(dr.host(), dr.meta().namespace()), h -> new HashSet<>());
        dr.subsets().stream().map(Subset::name).forEach(names::add);
      }
    }
    List<Finding> findings = new ArrayList<>();
    for (ConfigResource r : resources) {
      if (r instanceof VirtualService vs) {
        checkVirtualService(vs, hosts, hostsKnowable, subsets, mesh, findings);
      } else if (r instanceof RateLimit rl) {
        String host = mesh.qualify(rl.host(), rl.meta().namespace());
        if (hostsKnowable && !Hostnames.isWildcard(host) && !hosts.contains(host)) {
          findings.add(
              new Finding(
                  rl.meta().location(),
                  Severity.WARNING,
                  rl.meta().qualifiedName() + ": host " + host + " is not known to any registry"));
        }
      }
    }
    return findings;
  }

  private static void checkVirtualService(
      VirtualService vs,
      Set<String> hosts,
      boolean hostsKnowable,
      Map<String, Set<String>> subsets,
      MeshSettings mesh,
      List<Finding> findings) {
    String ns = vs.meta().namespace();
    for (String host : vs.hosts()) {
      String qualified = mesh.qualify(host, ns);
      if (hostsKnowable && !Hostnames.isWildcard(qualified) && !hosts.contains(qualified)) {
        findings.add(
            new Finding(
                vs.meta().location(),
                Severity.WARNING,
                vs.meta().qualifiedName()
                    + ": host "
                    + qualified
                    + " is not known to any registry"));
      }
    }
    for (HttpRoute http : vs.http()) {
      long total = 0;
      for (HttpRouteDestination d : http.route()) {
        total += d.weight();
        String host = mesh.qualify(d.destination().host(), ns);
        String subset = d.destination().subset();
        if (!subset.isEmpty() && !subsets.getOrDefault(host, Set.of()).contains(subset)) {
          findings.add(
              new Finding(
                  http.location(),
                  Severity.ERROR,
                  "destination "
                      + host
                      + " subset '"
                      + subset
                      + "' is not defined by any DestinationRule for that host"
                      + (subsets.containsKey(host)
                          ? " (defined: " + String.join(", ", sorted(subsets.get(host))) + ")"
                          : "")));
        }
        if (hostsKnowable && !hosts.contains(host)) {
          findings.add(
              new Finding(
                  http.location(),
                  Severity.WARNING,
                  "destination host " + host + " is not known to any registry"));
        }
      }
      if (http.route().size() > 1 && total != 100 && total != 0) {
        findings.add(
            new Finding(
                http.location(),
                Severity.WARNING,
                "route weights add up to "
                    + total
                    + ", not 100; traffic is split in proportion to them"));
      }
    }
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
