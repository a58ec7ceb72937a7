package io.sextant.server.admin;

import io.sextant.server.xds.XdsType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/** Counters exposed on {@code /metrics} in Prometheus text format. */
public final class Metrics {
  public final AtomicLong connectedProxies = new AtomicLong();
  public final AtomicLong pushes = new AtomicLong();
  public final AtomicLong inconsistentSnapshots = new AtomicLong();
  public final AtomicLong meshGeneration = new AtomicLong();
  public final AtomicLong lastPushMicros = new AtomicLong();
  private final Map<XdsType, AtomicLong> responses = new EnumMap<>(XdsType.class);
  private final Map<XdsType, AtomicLong> nacks = new EnumMap<>(XdsType.class);
  private final Map<XdsType, LongAdder> resourcesSent = new EnumMap<>(XdsType.class);
  private volatile Supplier<Long> rejectedConfigFiles = () -> 0L;
  private volatile Supplier<Long> configRejections = () -> 0L;
  private volatile Supplier<List<RegistryState>> registries = List::of;

  public Metrics() {
    for (XdsType t : XdsType.values()) {
      responses.put(t, new AtomicLong());
      nacks.put(t, new AtomicLong());
      resourcesSent.put(t, new LongAdder());
    }
  }

  public AtomicLong responses(XdsType type) {
    return responses.get(type);
  }

  public LongAdder resourcesSent(XdsType type) {
    return resourcesSent.get(type);
  }

  public AtomicLong nacks(XdsType type) {
    return nacks.get(type);
  }

  /** Where the count of configuration errors currently in effect comes from. */
  public void rejectedConfigFiles(Supplier<Long> source) {
    this.rejectedConfigFiles = source;
  }

  /** Counts every file or resource version rejected since start. */
  public void configRejections(Supplier<Long> source) {
    this.configRejections = source;
  }

  /** Where the registries' states come from. */
  public void registries(Supplier<List<RegistryState>> source) {
    this.registries = source;
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    counter(
        out,
        "process_cpu_seconds_total",
        "CPU time this process has used.",
        ProcessStats.cpuNanos() / 1e9);
    gauge(
        out,
        "jvm_heap_used_bytes",
        "Heap in use (live and not yet collected).",
        ProcessStats.heapUsed());
    gauge(
        out,
        "sextant_xds_connected_proxies",
        "Proxies with an open ADS stream.",
        connectedProxies.get());
    counter(out, "sextant_pushes_total", "Snapshots published to a proxy group.", pushes.get());
    counter(
        out,
        "sextant_inconsistent_snapshots_total",
        "Snapshots withheld because the consistency check failed (a Sextant bug).",
        inconsistentSnapshots.get());
    gauge(
        out,
        "sextant_mesh_generation",
        "Generation of the mesh snapshot last published to every proxy group.",
        meshGeneration.get());
    gauge(
        out,
        "sextant_last_push_seconds",
        "Time the last push took to translate and publish.",
        lastPushMicros.get() / 1e6);
    gauge(
        out,
        "sextant_config_errors",
        "Configuration errors in effect (rejected files keep their last good content).",
        rejectedConfigFiles.get());
    counter(
        out,
        "sextant_config_rejections_total",
        "File or resource versions rejected since start (each keeps its last good version serving).",
        configRejections.get());
    List<RegistryState> states = registries.get();
    perRegistry(
        out,
        states,
        "sextant_registry_stale",
        "1 while the registry cannot reach its backend and serves its last known state.",
        r -> r.status().stale() ? 1 : 0);
    perRegistry(
        out,
        states,
        "sextant_registry_synced",
        "1 once the registry has delivered its first complete state.",
        r -> r.status().synced() ? 1 : 0);
    perRegistry(
        out,
        states,
        "sextant_registry_services",
        "Services the registry currently holds.",
        RegistryState::services);
    perRegistry(
        out,
        states,
        "sextant_registry_endpoints",
        "Endpoints of the registry's services, healthy or not.",
        RegistryState::endpoints);
    perRegistry(
        out,
        states,
        "sextant_registry_last_sync_timestamp_seconds",
        "When the registry last knew its state to be current (Unix time; absent for files).",
        r -> r.status().lastSync().map(t -> t.toEpochMilli() / 1000.0).orElse(null));
    out.append("# HELP sextant_xds_responses_total xDS responses sent.\n");
    out.append("# TYPE sextant_xds_responses_total counter\n");
    responses.forEach(
        (t, v) ->
            out.append("sextant_xds_responses_total{type=\"")
                .append(t)
                .append("\"} ")
                .append(v.get())
                .append('\n'));
    out.append("# HELP sextant_xds_resources_sent_total Resources carried by xDS responses.\n");
    out.append("# TYPE sextant_xds_resources_sent_total counter\n");
    resourcesSent.forEach(
        (t, v) ->
            out.append("sextant_xds_resources_sent_total{type=\"")
                .append(t)
                .append("\"} ")
                .append(v.sum())
                .append('\n'));
    out.append("# HELP sextant_xds_nacks_total xDS responses rejected by proxies.\n");
    out.append("# TYPE sextant_xds_nacks_total counter\n");
    nacks.forEach(
        (t, v) ->
            out.append("sextant_xds_nacks_total{type=\"")
                .append(t)
                .append("\"} ")
                .append(v.get())
                .append('\n'));
    return out.toString();
  }

  private static void perRegistry(
      StringBuilder out,
      List<RegistryState> states,
      String name,
      String help,
      Function<RegistryState, Number> value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    for (RegistryState r : states) {
      Number v = value.apply(r);
      if (v != null) {
        out.append(name)
            .append("{registry=\"")
            .append(r.status().name())
            .append("\",type=\"")
            .append(r.status().type())
            .append("\"} ")
            .append(v)
            .append('\n');
      }
    }
  }

  private static void counter(StringBuilder out, String name, String help, Number value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, Number value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    out.append(name).append(' ').append(value).append('\n');
  }
}
