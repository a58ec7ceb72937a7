package io.sextant.registry.consul;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A real Consul agent ({@code CONSUL_HTTP_ADDR}). Instances are registered through {@code
 * /v1/catalog/register} on made-up nodes named for this run, each with a node check and a service
 * check, so that the agent's anti-entropy leaves them alone; {@link #close()} deregisters the
 * nodes.
 */
final class RealConsulBackend implements ConsulBackend {
  private static final Gson JSON = new Gson();

  private final String address;
  private final Optional<String> token;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Set<List<String>> nodes = new LinkedHashSet<>();
  private final String datacenter;

  RealConsulBackend(String address, Optional<String> token) {
    this.address = address.contains("://") ? address : "http://" + address;
    this.token = token.filter(t -> !t.isBlank());
    List<String> dcs =
        JSON.fromJson(
            send("GET", "/v1/catalog/datacenters", null),
            new TypeToken<List<String>>() {}.getType());
    this.datacenter = dcs.get(0);
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public Optional<String> token() {
    return token;
  }

  @Override
  public String datacenter() {
    return datacenter;
  }

  @Override
  public String name(String base) {
    return base + "-" + run;
  }

  @Override
  public synchronized void register(Registration r) {
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("ID", r.id());
    service.put("Service", r.service());
    service.put("Tags", r.tags());
    service.put("Address", r.address());
    service.put("Meta", r.meta());
    service.put("Port", r.port());
    List<Map<String, Object>> checks = new ArrayList<>();
    checks.add(check(r, "node-health", r.nodeStatus(), null));
    checks.add(check(r, "service:" + r.id(), r.status(), r.id()));
    if (r.maintenance()) {
      checks.add(check(r, "_service_maintenance:" + r.id(), "critical", r.id()));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Datacenter", r.datacenter());
    body.put("Node", r.node());
    body.put("Address", r.nodeAddress());
    body.put("NodeMeta", r.nodeMeta());
    body.put("Service", service);
    body.put("Checks", checks);
    send("PUT", "/v1/catalog/register", JSON.toJson(body));
    nodes.add(List.of(r.datacenter(), r.node()));
  }

  private static Map<String, Object> check(
      Registration r, String id, String status, String serviceId) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("Node", r.node());
    check.put("CheckID", id);
    check.put("Name", id);
    check.put("Status", status);
    if (serviceId != null) {
      check.put("ServiceID", serviceId);
    }
    return check;
  }

  @Override
  public void deregister(Registration r) {
    send(
        "PUT",
        "/v1/catalog/deregister",
        JSON.toJson(Map.of("Datacenter", r.datacenter(), "Node", r.node(), "ServiceID", r.id())));
  }

  @Override
  public Optional<FakeConsul> fake() {
    return Optional.empty();
  }

  @Override
  public synchronized void close() {
    for (List<String> node : nodes) {
      send(
          "PUT",
          "/v1/catalog/deregister",
          JSON.toJson(Map.of("Datacenter", node.get(0), "Node", node.get(1))));
    }
    nodes.clear();
  }

  private String send(String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(address + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    token.ifPresent(t -> request.header("X-Consul-Token", t));
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            method + " " + path + ": HTTP " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
