package io.sextant.registry.consul;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A Consul agent on loopback with the three endpoints the registry reads, {@code
 * /v1/catalog/datacenters}, {@code /v1/catalog/services} and {@code /v1/health/service/NAME},
 * answering in Consul's JSON shapes and with Consul's blocking-query semantics:
 *
 * <ul>
 *   <li>each datacenter has its own raft-like index, raised by every write in it;
 *   <li>a query's index is that of what it reads: the services table for the catalog, the service's
 *       own last write for its health;
 *   <li>a request with {@code index} 0, or below the current index, is answered at once; any other
 *       is held until what it reads changes or its {@code wait} (default 5 min) elapses;
 *   <li>every catalog and health answer carries {@code X-Consul-Index};
 *   <li>an unknown {@code dc} is answered 500 "No path to datacenter".
 * </ul>
 *
 * <p>With {@link #requireToken}, requests without that token in the {@code X-Consul-Token} header
 * get 403 (Consul would also take {@code ?token=}; the fake does not, so that tests prove the
 * header). {@link #stop()} drops held requests and closes the port; {@link #start()} opens the same
 * port again with the same data. Node fields (address, meta, node check) are per registration:
 * tests keep them the same for instances on one node.
 */
public final class FakeConsul implements AutoCloseable {
  private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();
  private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
  private static final Duration MAX_WAIT = Duration.ofMinutes(10);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /**
   * A request the fake answered.
   *
   * @param index the {@code X-Consul-Index} answered, 0 for none
   * @param held whether the request waited for a change or for its {@code wait}
   * @param timedOut whether its {@code wait} elapsed with nothing changed
   */
  record Seen(
      String path,
      Map<String, String> query,
      Optional<String> token,
      int status,
      long index,
      boolean held,
      boolean timedOut) {
    long requestedIndex() {
      return Long.parseLong(query.getOrDefault("index", "0"));
    }
  }

  private final Object lock = new Object();
  private final Optional<SSLContext> tls;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  // Guarded by lock.
  private final Map<String, Datacenter> datacenters = new LinkedHashMap<>();
  private Optional<String> requiredToken = Optional.empty();
  private boolean running;
  private HttpServer server;
  private ExecutorService executor;
  private int port;

  /** A plain HTTP agent of datacenter {@code dc1}, listening. */
  public FakeConsul() {
    this(Optional.empty());
  }

  /** An HTTPS agent when {@code tls} is given, demanding a client certificate. */
  FakeConsul(Optional<SSLContext> tls) {
    this.tls = tls;
    datacenters.put("dc1", new Datacenter("dc1", 100));
    start();
  }

  public String address() {
    return (tls.isPresent() ? "https" : "http") + "://127.0.0.1:" + port;
  }

  // Data.

  public void addDatacenter(String dc) {
    synchronized (lock) {
      datacenters.putIfAbsent(dc, new Datacenter(dc, 1000L * (datacenters.size() + 1)));
    }
  }

  /** Registers or replaces an instance (same datacenter, node and id). */
  public void register(Registration r) {
    synchronized (lock) {
      Datacenter d = datacenter(r.datacenter());
      String key = r.node() + "/" + r.id();
      Registration before = d.instances.put(key, r);
      long index = d.write();
      d.writtenAt.put(key, index);
      d.servicesIndex = index;
      d.serviceIndex.put(r.service(), index);
      if (before != null) {
        d.serviceIndex.put(before.service(), index);
      }
      lock.notifyAll();
    }
  }

  public void deregister(Registration r) {
    synchronized (lock) {
      Datacenter d = datacenter(r.datacenter());
      String key = r.node() + "/" + r.id();
      if (d.instances.remove(key) == null) {
        return;
      }
      long index = d.write();
      d.servicesIndex = index;
      d.serviceIndex.put(r.service(), index);
      lock.notifyAll();
    }
  }

  /**
   * An idempotent write, as Consul's documentation warns of: the service's index rises, what it
   * reads does not change.
   *
   * @return the service's new index
   */
  long touch(String dc, String service) {
    synchronized (lock) {
      Datacenter d = datacenter(dc);
      long index = d.write();
      d.serviceIndex.put(service, index);
      lock.notifyAll();
      return index;
    }
  }

  /**
   * Lowers every index of {@code dc} below anything answered so far, keeping the data: what a
   * restore from an older snapshot or a rebuilt cluster looks like to a client.
   */
  void lowerIndexes(String dc) {
    synchronized (lock) {
      Datacenter d = datacenter(dc);
      d.index = 10;
      d.servicesIndex = 10;
      d.serviceIndex.replaceAll((s, i) -> 10L);
      d.writtenAt.replaceAll((k, i) -> 10L);
      lock.notifyAll();
    }
  }

  void requireToken(String token) {
    synchronized (lock) {
      requiredToken = Optional.of(token);
    }
  }

  /** The requests answered so far, oldest first. */
  List<Seen> seen() {
    return List.copyOf(seen);
  }

  List<Seen> seen(String path) {
    return seen.stream().filter(s -> s.path().equals(path)).toList();
  }

  private Datacenter datacenter(String dc) {
    Datacenter d = datacenters.get(dc);
    if (d == null) {
      throw new IllegalArgumentException("the fake has no datacenter " + dc + "; add it first");
    }
    return d;
  }

  private static final class Datacenter {
    final String name;
    final Map<String, Registration> instances = new TreeMap<>(); // by node/id, Consul's order
    final Map<String, Long> writtenAt = new HashMap<>();
    final Map<String, Long> serviceIndex = new HashMap<>();
    long index;
    long servicesIndex;

    Datacenter(String name, long start) {
      this.name = name;
      this.index = start;
      this.servicesIndex = start;
    }

    long write() {
      return ++index;
    }
  }

  // Server.

  /** Listens again, on the same port after a {@link #stop()}. */
  public void start() {
    synchronized (lock) {
      if (running) {
        return;
      }
      try {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        HttpServer s;
        if (tls.isPresent()) {
          HttpsServer https = HttpsServer.create(at, 0);
          SSLContext context = tls.get();
          https.setHttpsConfigurator(
              new HttpsConfigurator(context) {
                @Override
                public void configure(HttpsParameters params) {
                  SSLParameters p = context.getDefaultSSLParameters();
                  p.setNeedClientAuth(true);
                  params.setSSLParameters(p);
                }
              });
          s = https;
        } else {
          s = HttpServer.create(at, 0);
        }
        s.createContext("/", this::handle);
        executor =
            Executors.newCachedThreadPool(
                r -> {
                  Thread t = new Thread(r, "fake-consul-" + THREADS.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                });
        s.setExecutor(executor);
        s.start();
        server = s;
        port = s.getAddress().getPort();
        running = true;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Drops every held request without an answer and closes the port: Consul is away. */
  public void stop() {
    HttpServer s;
    ExecutorService e;
    synchronized (lock) {
      if (!running) {
        return;
      }
      running = false;
      lock.notifyAll();
      s = server;
      e = executor;
    }
    s.stop(0);
    e.shutdownNow();
  }

  @Override
  public void close() {
    stop();
  }

  /** Thrown by a handler whose request was dropped because the fake stopped. */
  private static final class Dropped extends RuntimeException {
    Dropped() {
      super(null, null, false, false);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      Optional<String> token =
          Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Consul-Token"));
      Answer answer;
      try {
        answer = answer(exchange.getRequestMethod(), path, query, token);
      } catch (Dropped d) {
        return;
      }
      seen.add(
          new Seen(path, query, token, answer.status, answer.index, answer.held, answer.timedOut));
      byte[] body = answer.body.getBytes(StandardCharsets.UTF_8);
      var headers = exchange.getResponseHeaders();
      headers.set("Content-Type", answer.status == 200 ? "application/json" : "text/plain");
      if (answer.index > 0) {
        headers.set("X-Consul-Index", Long.toString(answer.index));
        headers.set("X-Consul-Knownleader", "true");
        headers.set("X-Consul-Lastcontact", "0");
      }
      exchange.sendResponseHeaders(answer.status, body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private record Answer(int status, String body, long index, boolean held, boolean timedOut) {
    static Answer error(int status, String message) {
      return new Answer(status, message, 0, false, false);
    }
  }

  private Answer answer(
      String method, String path, Map<String, String> query, Optional<String> token) {
    if (!method.equals("GET")) {
      return Answer.error(405, "method not allowed");
    }
    synchronized (lock) {
      if (requiredToken.isPresent() && !requiredToken.equals(token)) {
        return Answer.error(403, "ACL not found");
      }
      if (path.equals("/v1/catalog/datacenters")) {
        // Consul answers this one without an index: it is not a blocking endpoint.
        return new Answer(200, JSON.toJson(new TreeSet<>(datacenters.keySet())), 0, false, false);
      }
      String dc = query.getOrDefault("dc", "dc1");
      if (!datacenters.containsKey(dc)) {
        return Answer.error(500, "No path to datacenter");
      }
      if (path.equals("/v1/catalog/services")) {
        return blocking(dc, query, d -> d.servicesIndex, FakeConsul::catalog);
      }
      String prefix = "/v1/health/service/";
      if (path.startsWith(prefix) && path.length() > prefix.length()) {
        String service = URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
        return blocking(
            dc,
            query,
            d -> d.serviceIndex.getOrDefault(service, d.servicesIndex),
            d -> health(d, service));
      }
      return Answer.error(404, "no such endpoint in the fake: " + path);
    }
  }

  /** Holds the request (lock held) until the index it reads passes {@code index} or wait ends. */
  private Answer blocking(
      String dc,
      Map<String, String> query,
      java.util.function.ToLongFunction<Datacenter> indexOf,
      java.util.function.Function<Datacenter, String> render) {
    long wanted = Long.parseLong(query.getOrDefault("index", "0"));
    Duration wait = wait(query.get("wait"));
    long deadline = System.nanoTime() + wait.toNanos();
    boolean held = false;
    boolean timedOut = false;
    Datacenter d = datacenters.get(dc);
    while (running && wanted > 0 && indexOf.applyAsLong(d) <= wanted) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        timedOut = true;
        break;
      }
      held = true;
      try {
        lock.wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        throw new Dropped();
      }
    }
    if (!running) {
      throw new Dropped();
    }
    return new Answer(200, render.apply(d), indexOf.applyAsLong(d), held, timedOut);
  }

  private static Duration wait(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_WAIT;
    }
    Duration d;
    if (value.endsWith("ms")) {
      d = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
    } else if (value.endsWith("s")) {
      d = Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
    } else if (value.endsWith("m")) {
      d = Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
    } else {
      d = Duration.ofSeconds(Long.parseLong(value));
    }
    return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      query.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return query;
  }

  // Consul's JSON.

  /** {@code {"NAME": [tags...]}}: every service with the union of its instances' tags. */
  private static String catalog(Datacenter d) {
    Map<String, TreeSet<String>> services = new TreeMap<>();
    for (Registration r : d.instances.values()) {
      services.computeIfAbsent(r.service(), s -> new TreeSet<>()).addAll(r.tags());
    }
    return JSON.toJson(services);
  }

  /** One {@code {Node, Service, Checks}} entry per instance of {@code service}. */
  private static String health(Datacenter d, String service) {
    List<Map<String, Object>> entries = new ArrayList<>();
    d.instances.forEach(
        (key, r) -> {
          if (r.service().equals(service)) {
            entries.add(entry(d, r, d.writtenAt.getOrDefault(key, d.index)));
          }
        });
    return JSON.toJson(entries);
  }

  private static Map<String, Object> entry(Datacenter d, Registration r, long index) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("ID", UUID.nameUUIDFromBytes(r.node().getBytes(StandardCharsets.UTF_8)).toString());
    node.put("Node", r.node());
    node.put("Address", r.nodeAddress());
    node.put("Datacenter", d.name);
    node.put("TaggedAddresses", Map.of("lan", r.nodeAddress(), "wan", r.nodeAddress()));
    node.put("Meta", r.nodeMeta());
    node.put("CreateIndex", index);
    node.put("ModifyIndex", index);

    Map<String, Object> service = new LinkedHashMap<>();
    service.put("ID", r.id());
    service.put("Service", r.service());
    service.put("Tags", r.tags());
    service.put("Address", r.address());
    service.put("TaggedAddresses", Map.of());
    service.put("Meta", r.meta());
    service.put("Port", r.port());
    service.put("Weights", Map.of("Passing", 1, "Warning", 1));
    service.put("EnableTagOverride", false);
    service.put("CreateIndex", index);
    service.put("ModifyIndex", index);

    List<Map<String, Object>> checks = new ArrayList<>();
    checks.add(
        check(r, "serfHealth", "Serf Health Status", r.nodeStatus(), "", "", List.of(), index));
    checks.add(
        check(
            r,
            "service:" + r.id(),
            "Service '" + r.service() + "' check",
            r.status(),
            r.id(),
            r.service(),
            r.tags(),
            index));
    if (r.maintenance()) {
      checks.add(
          check(
              r,
              "_service_maintenance:" + r.id(),
              "Service Maintenance Mode",
              "critical",
              r.id(),
              r.service(),
              r.tags(),
              index));
    }

    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("Node", node);
    entry.put("Service", service);
    entry.put("Checks", checks);
    return entry;
  }

  private static Map<String, Object> check(
      Registration r,
      String id,
      String name,
      String status,
      String serviceId,
      String serviceName,
      List<String> serviceTags,
      long index) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("Node", r.node());
    check.put("CheckID", id);
    check.put("Name", name);
    check.put("Status", status);
    check.put("Notes", "");
    check.put("Output", "");
    check.put("ServiceID", serviceId);
    check.put("ServiceName", serviceName);
    check.put("ServiceTags", serviceTags);
    check.put("Type", "");
    check.put("Definition", Map.of());
    check.put("CreateIndex", index);
    check.put("ModifyIndex", index);
    return check;
  }
}
