package io.sextant.translator;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The checks run on every snapshot before it is published. A violation is a bug in Sextant, not in
 * the user's input: the caller logs it and keeps serving the previous snapshot.
 *
 * <ul>
 *   <li>resource names are unique within each type;
 *   <li>every cluster a route or TCP proxy names exists;
 *   <li>every route configuration a listener asks for over RDS exists;
 *   <li>every EDS cluster has an assignment (which may be empty);
 *   <li>virtual host domains are unique within a route configuration;
 *   <li>listener socket addresses are unique.
 * </ul>
 *
 * <p>A proxy's configuration is made of {@link Layer}s shared by many proxies, so the checks are
 * made per layer and per pair of layers, and a {@link Checker} remembers each answer: a push that
 * publishes a thousand groups checks the shared layers once.
 */
public final class SnapshotConsistency {
  private SnapshotConsistency() {}

  /** Every violation in one proxy's resources; empty when consistent. */
  public static List<String> check(XdsResources r) {
    return new Checker()
        .check(
            new ProxyLayers(
                List.of(new Layer("listeners", r.listeners())),
                List.of(new Layer("routes", r.routes())),
                List.of(new Layer("clusters", r.clusters())),
                List.of(new Layer("endpoints", r.endpoints()))));
  }

  /**
   * Checks proxies made of shared layers, remembering what it has checked. One per push; {@link
   * #next} gives the next push's, which still knows this push's answers for layers that push reuses
   * (answers not asked for again are forgotten after one push).
   */
  public static final class Checker {
    private final Map<List<Object>, List<String>> answers;
    private final Map<List<Object>, Map<String, String>> unresolved;
    private final Map<List<Object>, List<String>> earlierAnswers;
    private final Map<List<Object>, Map<String, String>> earlierUnresolved;

    /**
     * The facts of each route configuration, by identity: a rule change rebuilds the route
     * configurations of the ports it touches, and a new routes layer reuses the other ports' very
     * objects, whose facts need not be worked out again.
     */
    private final Map<RouteConfiguration, ConsistencyFacts> routeFacts;

    private final Map<RouteConfiguration, ConsistencyFacts> earlierRouteFacts;

    public Checker() {
      this(Map.of(), Map.of(), Map.of());
    }

    private Checker(
        Map<List<Object>, List<String>> earlierAnswers,
        Map<List<Object>, Map<String, String>> earlierUnresolved,
        Map<RouteConfiguration, ConsistencyFacts> earlierRouteFacts) {
      this.answers = new HashMap<>();
      this.unresolved = new HashMap<>();
      this.routeFacts = new IdentityHashMap<>();
      this.earlierAnswers = earlierAnswers;
      this.earlierUnresolved = earlierUnresolved;
      this.earlierRouteFacts = earlierRouteFacts;
    }

    /**
     * The checker for the next push. A push that checked nothing (endpoints swapped in place) hands
     * on what the one before it knew.
     */
    public Checker next() {
      if (answers.isEmpty() && unresolved.isEmpty() && routeFacts.isEmpty()) {
        return this;
      }
      return new Checker(answers, unresolved, routeFacts);
    }

    /** How a layer's facts are worked out the first time: with this checker's route facts. */
    private final Function<List<? extends Message>, ConsistencyFacts> layerFacts =
        resources -> ConsistencyFacts.of(resources, this::routeFacts);

    private ConsistencyFacts facts(Layer layer) {
      return layer.facts(layerFacts);
    }

    private ConsistencyFacts routeFacts(RouteConfiguration rc) {
      return routeFacts.computeIfAbsent(
          rc,
          r -> {
            ConsistencyFacts known = earlierRouteFacts.get(r);
            return known != null ? known : ConsistencyFacts.ofRoutes(r);
          });
    }

    private static <V> V remembered(
        Map<List<Object>, V> now,
        Map<List<Object>, V> earlier,
        List<Object> key,
        Function<List<Object>, V> compute) {
      return now.computeIfAbsent(
          key,
          k -> {
            V known = earlier.get(k);
            return known != null ? known : compute.apply(k);
          });
    }

    public List<String> check(ProxyLayers p) {
      List<String> violations = new ArrayList<>();
      for (List<Layer> type : p.byType()) {
        for (int i = 0; i < type.size(); i++) {
          violations.addAll(facts(type.get(i)).internal());
          for (int j = i + 1; j < type.size(); j++) {
            violations.addAll(overlap(type.get(i), type.get(j)));
          }
        }
      }
      for (Layer l : p.listeners()) {
        violations.addAll(
            resolved(l, ConsistencyFacts::clusterRefs, p.clusters(), "missing cluster"));
        violations.addAll(
            resolved(
                l, ConsistencyFacts::routeConfigRefs, p.routes(), "missing route configuration"));
      }
      for (Layer l : p.routes()) {
        violations.addAll(
            resolved(l, ConsistencyFacts::clusterRefs, p.clusters(), "missing cluster"));
      }
      for (Layer l : p.clusters()) {
        violations.addAll(
            resolved(l, ConsistencyFacts::assignmentRefs, p.endpoints(), "has no assignment"));
      }
      return violations;
    }

    /** Names (and listener addresses) two layers of one type both define. */
    private List<String> overlap(Layer a, Layer b) {
      return remembered(
          answers,
          earlierAnswers,
          List.of("overlap", a, b),
          k -> {
            List<String> found = new ArrayList<>();
            ConsistencyFacts fa = facts(a);
            ConsistencyFacts fb = facts(b);
            for (String n : smaller(fa.names(), fb.names())) {
              if (fa.names().contains(n) && fb.names().contains(n)) {
                found.add(n + " is defined by both " + a.key() + " and " + b.key());
              }
            }
            for (String address : smaller(fa.addresses().keySet(), fb.addresses().keySet())) {
              String other = fb.addresses().get(address);
              if (other != null && fa.addresses().containsKey(address)) {
                found.add("listener " + other + " reuses address " + address);
              }
            }
            return found;
          });
    }

    /**
     * References of {@code from} that no layer in {@code targets} defines, each reported as where
     * it is made, then {@code problem} (e.g. "missing cluster"), then the name. What the largest
     * target leaves unresolved is remembered per pair of layers, so a thousand groups that share
     * their routes and outbound clusters but differ in a small inbound layer cost one real check.
     */
    private List<String> resolved(
        Layer from,
        Function<ConsistencyFacts, Map<String, String>> refs,
        List<Layer> targets,
        String problem) {
      Layer largest = null;
      for (Layer t : targets) {
        if (largest == null || facts(t).names().size() > facts(largest).names().size()) {
          largest = t;
        }
      }
      Layer main = largest;
      Map<String, String> open =
          remembered(
              unresolved,
              earlierUnresolved,
              List.of(problem, from, main == null ? List.of() : main),
              k -> {
                Map<String, String> left = new LinkedHashMap<>();
                refs.apply(facts(from))
                    .forEach(
                        (name, where) -> {
                          if (main == null || !facts(main).names().contains(name)) {
                            left.put(name, where);
                          }
                        });
                return left;
              });
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, String> ref : open.entrySet()) {
        if (targets.stream().noneMatch(t -> facts(t).names().contains(ref.getKey()))) {
          missing.add(ref.getValue() + " " + problem + " " + ref.getKey());
        }
      }
      return missing;
    }

    private static Set<String> smaller(Set<String> a, Set<String> b) {
      return a.size() <= b.size() ? a : b;
    }
  }
}
