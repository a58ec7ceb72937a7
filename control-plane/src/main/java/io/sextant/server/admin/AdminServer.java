package io.sextant.server.admin;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sextant.registry.SourceStatus;
import io.sextant.server.push.PushScheduler;
import io.sextant.server.xds.GroupSnapshot;
import io.sextant.server.xds.ProxyConnection;
import io.sextant.server.xds.ProxyTracker;
import io.sextant.server.xds.XdsType;
import io.sextant.translator.Diagnostic;
import io.sextant.translator.XdsResources;
import io.sextant.translator.envoy.ProtoJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API: health, readiness, metrics and debug views. Read-only.
 *
 * <ul>
 *   <li>{@code /healthz}: 200 while the process runs.
 *   <li>{@code /readyz}: 200 once every registry and rule source has delivered its first state and
 *       the first configuration is built; 503 with the reason before.
 *   <li>{@code /metrics}: Prometheus text.
 *   <li>{@code /debug/config_dump?proxy=ID}: the resources served to that proxy, as JSON, and the
 *       diagnostics about what its kind of proxy does not get.
 *   <li>{@code /debug/syncz}: every connected proxy, per type: sent, acked and rejected versions.
 *   <li>{@code /debug/configz}: registries and rule sources with their errors, and translation
 *       diagnostics.
 *   <li>{@code /debug/registryz}: every registry: synced, stale, last sync, service and endpoint
 *       counts, errors.
 *   <li>{@code /debug/memz}: heap use; with {@code ?gc=true}, after a full garbage collection (the
 *       live heap, as the benchmarks report it).
 * </ul>
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private final HttpServer server;
  private final ExecutorService executor;
  private final PushScheduler scheduler;
  private final ProxyTracker tracker;
  private final Supplier<List<SourceStatus>> sources;
  private final Supplier<List<RegistryState>> registries;
  private final Metrics metrics;

  public AdminServer(
      String address,
      int port,
      PushScheduler scheduler,
      ProxyTracker tracker,
      Supplier<List<SourceStatus>> sources,
      Supplier<List<RegistryState>> registries,
      Metrics metrics)
      throws IOException {
    this.scheduler = scheduler;
    this.tracker = tracker;
    this.sources = sources;
    this.registries = registries;
    this.metrics = metrics;
    this.server = HttpServer.create(new InetSocketAddress(address, port), 64);
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sextant-admin");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    route("/healthz", ex -> reply(ex, 200, "text/plain", "ok\n"));
    route("/readyz", this::readyz);
    route("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4", metrics.render()));
    route("/debug/config_dump", this::configDump);
    route("/debug/syncz", ex -> json(ex, 200, syncz()));
    route("/debug/configz", ex -> json(ex, 200, configz()));
    route("/debug/memz", this::memz);
    route("/debug/registryz", ex -> json(ex, 200, registryz()));
  }

  public AdminServer start() {
    server.start();
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    LOG.info("admin server stopped");
  }

  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private void route(String path, Handler handler) {
    server.createContext(
        path,
        ex -> {
          try (ex) {
            if (!ex.getRequestURI().getPath().equals(path)) {
              reply(ex, 404, "text/plain", "not found: " + ex.getRequestURI().getPath() + "\n");
            } else if (!ex.getRequestMethod().equals("GET")) {
              reply(ex, 405, "text/plain", "only GET is supported\n");
            } else {
              handler.handle(ex);
            }
          } catch (RuntimeException e) {
            LOG.error("admin request {} failed", ex.getRequestURI(), e);
            reply(ex, 500, "text/plain", "internal error: " + e + "\n");
          }
        });
  }

  private void readyz(HttpExchange ex) throws IOException {
    if (scheduler.isReady()) {
      reply(ex, 200, "text/plain", "ready\n");
      return;
    }
    List<String> waiting =
        sources.get().stream()
            .filter(s -> !s.synced())
            .map(s -> s.type() + " " + s.name())
            .toList();
    reply(
        ex,
        503,
        "text/plain",
        "not ready: "
            + (waiting.isEmpty()
                ? "building the first configuration"
                : "waiting for " + String.join(", ", waiting))
            + "\n");
  }

  private void configDump(HttpExchange ex) throws IOException {
    String id = query(ex.getRequestURI()).getOrDefault("proxy", "");
    if (id.isEmpty()) {
      reply(
          ex, 400, "text/plain", "usage: /debug/config_dump?proxy=ID (see /debug/syncz for ids)\n");
      return;
    }
    Optional<ProxyConnection> connection = tracker.find(id);
    if (connection.isEmpty()) {
      reply(
          ex,
          404,
          "text/plain",
          "no connected proxy with id '"
              + id
              + "'; connected: "
              + tracker.connections().stream().map(ProxyConnection::id).toList()
              + "\n");
      return;
    }
    String group = connection.get().proxy().groupKey();
    Optional<GroupSnapshot> snapshot = scheduler.snapshot(group);
    JsonObject out = new JsonObject();
    out.addProperty("proxy", id);
    out.addProperty("group", group);
    if (snapshot.isEmpty()) {
      out.addProperty("status", "no configuration built for this proxy yet");
      json(ex, 200, out);
      return;
    }
    JsonObject versions = new JsonObject();
    snapshot.get().versions().forEach((t, v) -> versions.addProperty(t.name(), v));
    out.add("versions", versions);
    XdsResources r = snapshot.get().xdsResources();
    out.add("listeners", protos(r.listeners()));
    out.add("routes", protos(r.routes()));
    out.add("clusters", protos(r.clusters()));
    out.add("endpoints", protos(r.endpoints()));
    // Why rules did not reach this kind of proxy as written (e.g. CORS for proxyless gRPC).
    JsonArray notes = new JsonArray();
    scheduler.diagnostics().stream()
        .filter(d -> d.proxyKind().equals(Optional.of(connection.get().proxy().kind())))
        .map(Diagnostic::toString)
        .forEach(notes::add);
    out.add("diagnostics", notes);
    json(ex, 200, out);
  }

  private void memz(HttpExchange ex) throws IOException {
    boolean gc = "true".equals(query(ex.getRequestURI()).get("gc"));
    if (gc) {
      ProcessStats.collect();
    }
    JsonObject out = new JsonObject();
    out.addProperty("afterGc", gc);
    out.addProperty("heapUsedBytes", ProcessStats.heapUsed());
    out.addProperty("heapCommittedBytes", ProcessStats.heapCommitted());
    out.addProperty("heapMaxBytes", ProcessStats.heapMax());
    out.addProperty("processCpuSeconds", ProcessStats.cpuNanos() / 1e9);
    json(ex, 200, out);
  }

  private JsonElement syncz() {
    JsonArray proxies = new JsonArray();
    for (ProxyConnection c : tracker.connections()) {
      if (c.proxy() == null) {
        continue;
      }
      JsonObject p = new JsonObject();
      p.addProperty("id", c.id());
      p.addProperty("kind", c.proxy().kind().name());
      p.addProperty("group", c.proxy().groupKey());
      p.addProperty("stream", c.streamId());
      p.addProperty("protocol", c.delta() ? "delta" : "sotw");
      p.addProperty("connectedAt", c.connectedAt().toString());
      JsonObject types = new JsonObject();
      for (Map.Entry<XdsType, ProxyConnection.TypeState> e : c.types().entrySet()) {
        ProxyConnection.TypeState s = e.getValue();
        JsonObject t = new JsonObject();
        t.addProperty("sent", s.sentVersion());
        t.addProperty("nonce", s.sentNonce());
        t.addProperty("acked", s.ackedVersion());
        t.addProperty("responses", s.responses());
        t.addProperty("nacks", s.nacks());
        if (s.nacks() > 0) {
          t.addProperty("lastNackedVersion", s.nackedVersion());
          t.addProperty("lastNackMessage", s.nackMessage());
        }
        types.add(e.getKey().name(), t);
      }
      p.add("types", types);
      proxies.add(p);
    }
    JsonObject out = new JsonObject();
    out.add("proxies", proxies);
    return out;
  }

  private JsonElement configz() {
    JsonObject out = new JsonObject();
    out.addProperty("ready", scheduler.isReady());
    out.addProperty("meshGeneration", scheduler.mesh().generation());
    out.addProperty("services", scheduler.mesh().services().size());
    out.addProperty("virtualServices", scheduler.mesh().virtualServices().size());
    out.addProperty("destinationRules", scheduler.mesh().destinationRules().size());
    out.addProperty("rateLimits", scheduler.mesh().rateLimits().size());
    out.addProperty("sidecars", scheduler.mesh().sidecars().size());
    JsonArray list = new JsonArray();
    for (SourceStatus s : sources.get()) {
      JsonObject o = new JsonObject();
      o.addProperty("name", s.name());
      o.addProperty("type", s.type());
      o.addProperty("synced", s.synced());
      o.addProperty("stale", s.stale());
      JsonArray errors = new JsonArray();
      s.errors().forEach(e -> errors.add(e.toString()));
      o.add("errors", errors);
      list.add(o);
    }
    out.add("sources", list);
    JsonArray diagnostics = new JsonArray();
    scheduler.diagnostics().stream().map(Diagnostic::toString).forEach(diagnostics::add);
    out.add("diagnostics", diagnostics);
    return out;
  }

  private JsonElement registryz() {
    JsonArray list = new JsonArray();
    for (RegistryState r : registries.get()) {
      SourceStatus s = r.status();
      JsonObject o = new JsonObject();
      o.addProperty("name", s.name());
      o.addProperty("type", s.type());
      o.addProperty("synced", s.synced());
      o.addProperty("stale", s.stale());
      s.lastSync().ifPresent(t -> o.addProperty("lastSync", t.toString()));
      o.addProperty("services", r.services());
      o.addProperty("endpoints", r.endpoints());
      JsonArray errors = new JsonArray();
      s.errors().forEach(e -> errors.add(e.toString()));
      o.add("errors", errors);
      list.add(o);
    }
    JsonObject out = new JsonObject();
    out.add("registries", list);
    return out;
  }

  private static JsonArray protos(List<? extends Message> messages) {
    JsonArray array = new JsonArray();
    for (Message m : messages) {
      array.add(JsonParser.parseString(ProtoJson.print(m)));
    }
    return array;
  }

  static Map<String, String> query(URI uri) {
    Map<String, String> params = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }

  private static void json(HttpExchange ex, int status, JsonElement body) throws IOException {
    reply(ex, status, "application/json", GSON.toJson(body) + "\n");
  }

  private static void reply(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
