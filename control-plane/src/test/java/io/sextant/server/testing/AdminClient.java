package io.sextant.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.sextant.server.xds.XdsType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** Reads Sextant's admin HTTP API as an operator's tools would. */
public final class AdminClient {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final int port;

  public AdminClient(int port) {
    this.port = port;
  }

  /** GET {@code pathAndQuery}, whatever the status. */
  public HttpResponse<String> get(String pathAndQuery) {
    return send("GET", pathAndQuery);
  }

  /** {@code method} on {@code pathAndQuery} with an empty body, whatever the status. */
  public HttpResponse<String> send(String method, String pathAndQuery) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Eventually.DEADLINE)
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during " + method + " " + pathAndQuery, e);
    }
  }

  /** GET a JSON page that must answer 200. */
  public JsonObject json(String pathAndQuery) {
    HttpResponse<String> response = get(pathAndQuery);
    assertThat(response.statusCode())
        .as("GET %s: %s", pathAndQuery, response.body())
        .isEqualTo(200);
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  /** The value of one Prometheus sample, such as {@code sextant_xds_nacks_total{type="LDS"}}. */
  public double metric(String sample) {
    return get("/metrics")
        .body()
        .lines()
        .filter(line -> line.startsWith(sample + " "))
        .map(line -> Double.parseDouble(line.substring(sample.length() + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + sample + " on /metrics"));
  }

  /**
   * What {@code /debug/syncz} says about {@code type} on the stream of proxy {@code id}; fails (so
   * that {@link Eventually} retries) while the proxy or the type is not listed.
   */
  public JsonObject syncz(String id, XdsType type) {
    JsonObject proxy =
        syncz(id).orElseThrow(() -> new AssertionError(id + " is not on /debug/syncz"));
    JsonObject state = proxy.getAsJsonObject("types").getAsJsonObject(type.name());
    if (state == null) {
      throw new AssertionError("no " + type + " for " + id + " on /debug/syncz: " + proxy);
    }
    return state;
  }

  /** What {@code /debug/syncz} says about proxy {@code id}, if it is connected. */
  public Optional<JsonObject> syncz(String id) {
    for (JsonElement p : json("/debug/syncz").getAsJsonArray("proxies")) {
      if (p.getAsJsonObject().get("id").getAsString().equals(id)) {
        return Optional.of(p.getAsJsonObject());
      }
    }
    return Optional.empty();
  }
}
