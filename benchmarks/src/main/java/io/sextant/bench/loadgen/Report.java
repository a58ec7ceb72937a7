package io.sextant.bench.loadgen;

import com.google.gson.JsonObject;
import io.sextant.bench.loadgen.TypeStats.Type;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one load-generator run measured.
 *
 * @param coldStartSeconds from the first connection to every proxy having ACKed every type
 * @param coldStartReceived responses, resources and bytes received per type until then
 * @param coldStartControlPlaneCores the control plane's CPU use meanwhile, in cores
 * @param coldStartLoadGeneratorCores the load generator's own, in cores
 * @param settle both kinds of churn at once after the cold start, not part of the measurement
 *     (skipped unless asked for): the control plane's JIT compiler finishes meanwhile; its
 *     latencies are the endpoint changes'
 * @param endpoints the endpoint-churn phase
 * @param rules the rule-churn phase
 * @param controlPlaneLiveHeapBytes heap in use after a full collection, all proxies connected
 */
public record Report(
    int proxies,
    String protocol,
    double coldStartSeconds,
    Map<Type, long[]> coldStartReceived,
    double coldStartControlPlaneCores,
    double coldStartLoadGeneratorCores,
    Phase settle,
    Phase endpoints,
    Phase rules,
    long controlPlaneLiveHeapBytes) {

  /**
   * One churn phase: changes made at a rate, their convergence, and what proxies received.
   *
   * @param unexpectedDeliveries responses that carried a change's marker to a proxy not expected to
   *     get it (one that does not import the changed service); 0 when every proxy is expected
   */
  public record Phase(
      double changesPerSecond,
      Latencies latencies,
      int superseded,
      Map<Type, long[]> received,
      long unexpectedDeliveries,
      double seconds,
      double controlPlaneCores,
      double loadGeneratorCores) {
    static Phase skipped() {
      return new Phase(0, Latencies.NONE, 0, Map.of(), 0, 0, Double.NaN, Double.NaN);
    }

    JsonObject toJson() {
      JsonObject o = new JsonObject();
      o.addProperty("changesPerSecond", changesPerSecond);
      o.add("convergenceMillis", latencies.toJson());
      o.addProperty("superseded", superseded);
      o.addProperty("seconds", seconds);
      o.addProperty("controlPlaneCores", controlPlaneCores);
      o.addProperty("loadGeneratorCores", loadGeneratorCores);
      o.add("received", Report.received(received));
      o.addProperty("unexpectedDeliveries", unexpectedDeliveries);
      return o;
    }
  }

  /** Convergence latencies of one kind of change, in milliseconds. */
  public record Latencies(
      int changes, int unconverged, double p50, double p90, double p99, double max) {
    static final Latencies NONE =
        new Latencies(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    static Latencies of(List<Convergence.Change> done, List<Convergence.Change> notDone) {
      double[] ms = done.stream().mapToDouble(Convergence.Change::latencyMillis).sorted().toArray();
      if (ms.length == 0) {
        return new Latencies(0, notDone.size(), Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      return new Latencies(
          ms.length, notDone.size(), pct(ms, 50), pct(ms, 90), pct(ms, 99), ms[ms.length - 1]);
    }

    private static double pct(double[] sorted, double p) {
      int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    JsonObject toJson() {
      JsonObject o = new JsonObject();
      o.addProperty("converged", changes);
      o.addProperty("unconverged", unconverged);
      o.addProperty("p50", p50);
      o.addProperty("p90", p90);
      o.addProperty("p99", p99);
      o.addProperty("max", max);
      return o;
    }
  }

  static JsonObject received(Map<Type, long[]> received) {
    JsonObject types = new JsonObject();
    received.forEach(
        (t, v) -> {
          JsonObject j = new JsonObject();
          j.addProperty("responses", v[0]);
          j.addProperty("resources", v[1]);
          j.addProperty("bytes", v[2]);
          types.add(t.name(), j);
        });
    return types;
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("proxies", proxies);
    o.addProperty("protocol", protocol);
    o.addProperty("coldStartSeconds", coldStartSeconds);
    o.add("coldStartReceived", received(coldStartReceived));
    o.addProperty("coldStartControlPlaneCores", coldStartControlPlaneCores);
    o.addProperty("coldStartLoadGeneratorCores", coldStartLoadGeneratorCores);
    o.add("settle", settle.toJson());
    o.add("endpointChanges", endpoints.toJson());
    o.add("ruleChanges", rules.toJson());
    o.addProperty("controlPlaneLiveHeapMiB", controlPlaneLiveHeapBytes / 1048576.0);
    return o;
  }

  /** A human-readable summary. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "proxies: %d (%s)%n", proxies, protocol));
    s.append(
        String.format(
            Locale.ROOT,
            "cold start: every proxy ACKed every type after %.2f s;"
                + " CPU: control plane %.3f cores, load generator %.3f cores%n",
            coldStartSeconds,
            coldStartControlPlaneCores,
            coldStartLoadGeneratorCores));
    received(s, coldStartReceived);
    if (settle.seconds() > 0) {
      s.append(
          String.format(
              Locale.ROOT,
              "settle: %.0f s of endpoint and rule changes together, not measured; endpoint change"
                  + " p99 %.1f ms; CPU: control plane %.3f cores, load generator %.3f cores%n",
              settle.seconds(),
              settle.latencies().p99(),
              settle.controlPlaneCores(),
              settle.loadGeneratorCores()));
    }
    phase(s, "endpoint changes", endpoints);
    phase(s, "rule changes", rules);
    s.append(
        String.format(
            Locale.ROOT,
            "control plane live heap after GC, all proxies connected: %.1f MiB%n",
            controlPlaneLiveHeapBytes / 1048576.0));
    return s.toString();
  }

  private static void phase(StringBuilder s, String what, Phase p) {
    if (p.changesPerSecond() == 0) {
      return;
    }
    Latencies l = p.latencies();
    s.append(
        String.format(
            Locale.ROOT,
            "%s at %.1f/s for %.0f s: %d converged, %d not, %d superseded;"
                + " convergence p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms;"
                + " CPU: control plane %.3f cores, load generator %.3f cores%n",
            what,
            p.changesPerSecond(),
            p.seconds(),
            l.changes(),
            l.unconverged(),
            p.superseded(),
            l.p50(),
            l.p90(),
            l.p99(),
            l.max(),
            p.controlPlaneCores(),
            p.loadGeneratorCores()));
    received(s, p.received());
    s.append(
        String.format(
            Locale.ROOT,
            "  unexpected deliveries (a marker to a proxy that does not import the service): %d%n",
            p.unexpectedDeliveries()));
  }

  private static void received(StringBuilder s, Map<Type, long[]> received) {
    received.forEach(
        (t, v) ->
            s.append(
                String.format(
                    Locale.ROOT,
                    "  received %s: %d responses, %d resources, %.2f MiB%n",
                    t,
                    v[0],
                    v[1],
                    v[2] / 1048576.0)));
  }
}
