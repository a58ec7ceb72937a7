package io.sextant.bench.loadgen;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the control plane's CPU time and live heap through its admin API. */
final class ControlPlaneProbe {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final String admin;

  ControlPlaneProbe(String adminHostPort) {
    this.admin = "http://" + adminHostPort;
  }

  /** CPU seconds the control plane process has used. */
  double cpuSeconds() {
    return memz(false).get("processCpuSeconds").getAsDouble();
  }

  /** Heap in use right after a full collection: the live heap. */
  long liveHeapBytes() {
    return memz(true).get("heapUsedBytes").getAsLong();
  }

  private JsonObject memz(boolean gc) {
    try {
      String body =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(admin + "/debug/memz" + (gc ? "?gc=true" : "")))
                      .timeout(Duration.ofSeconds(60))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return JsonParser.parseString(body).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
