package io.sextant.registry.zookeeper;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.sextant.model.Locality;
import io.sextant.model.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Curator x-discovery: {@code /BASE/NAME/ID}, each node holding a JSON {@code ServiceInstance}:
 *
 * <pre>{"name":"reviews","id":"...","address":"10.0.0.1","port":9080,"sslPort":null,
 *  "payload":{"@class":"java.util.LinkedHashMap","version":"v1"},
 *  "registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":null}</pre>
 *
 * The payload's scalar members become the endpoint's labels; its {@code protocol}, {@code region}
 * and {@code zone} members also give the protocol and the locality.
 */
final class CuratorLayout implements TreeLayout {
  static final String PROTOCOL_KEY = "protocol";
  static final String REGION_KEY = "region";
  static final String ZONE_KEY = "zone";

  private final String root;
  private final Protocol defaultProtocol;

  CuratorLayout(String root, Protocol defaultProtocol) {
    this.root = root;
    this.defaultProtocol = defaultProtocol;
  }

  @Override
  public Optional<String> serviceOf(String path) {
    List<String> segments = TreeLayout.segmentsBelow(root, path);
    return segments.size() == 2 ? Optional.of(segments.get(0)) : Optional.empty();
  }

  @Override
  public Reading read(String path, byte[] data) {
    if (data == null || data.length == 0) {
      throw new IllegalArgumentException("the node holds no data");
    }
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(new String(data, StandardCharsets.UTF_8));
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("the data is not JSON: " + rootCause(e));
    }
    if (!parsed.isJsonObject()) {
      throw new IllegalArgumentException("the data is not a JSON ServiceInstance object");
    }
    JsonObject json = parsed.getAsJsonObject();
    String address = string(json, "address").orElse("");
    if (address.isBlank()) {
      throw new IllegalArgumentException("the ServiceInstance has no address");
    }
    int port =
        port(json, "port")
            .or(() -> port(json, "sslPort"))
            .orElseThrow(
                () -> new IllegalArgumentException("the ServiceInstance has no port or sslPort"));
    Map<String, String> labels = labels(json.get("payload"));
    Protocol protocol = defaultProtocol;
    Optional<String> note = Optional.empty();
    String named = labels.get(PROTOCOL_KEY);
    if (named != null) {
      Optional<Protocol> known = Protocol.parse(named);
      if (known.isPresent()) {
        protocol = known.get();
      } else {
        note =
            Optional.of(
                "payload protocol '"
                    + named
                    + "' is not one of http, http2, grpc, tcp; using "
                    + defaultProtocol.name().toLowerCase(Locale.ROOT));
      }
    }
    Locality locality =
        labels.containsKey(REGION_KEY) || labels.containsKey(ZONE_KEY)
            ? new Locality(labels.get(REGION_KEY), labels.get(ZONE_KEY), "")
            : Locality.UNKNOWN;
    return new Reading(new Instance(address, port, protocol, labels, locality), note);
  }

  /**
   * The scalar members of a payload object, each as a string. Nested values are left out, and so
   * are the {@code @}-keys that Jackson writes for type information ({@code "@class"}).
   */
  static Map<String, String> labels(JsonElement payload) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (payload == null || !payload.isJsonObject()) {
      return labels;
    }
    for (Map.Entry<String, JsonElement> member : payload.getAsJsonObject().entrySet()) {
      if (member.getKey().isEmpty()
          || member.getKey().startsWith("@")
          || !member.getValue().isJsonPrimitive()) {
        continue;
      }
      labels.put(member.getKey(), member.getValue().getAsString());
    }
    return labels;
  }

  private static Optional<String> string(JsonObject json, String key) {
    JsonElement value = json.get(key);
    return value != null && value.isJsonPrimitive()
        ? Optional.of(value.getAsString())
        : Optional.empty();
  }

  private static Optional<Integer> port(JsonObject json, String key) {
    JsonElement value = json.get(key);
    if (value == null || value.isJsonNull()) {
      return Optional.empty();
    }
    if (value.isJsonPrimitive()) {
      JsonPrimitive primitive = value.getAsJsonPrimitive();
      try {
        int port =
            primitive.isNumber() ? primitive.getAsInt() : Integer.parseInt(value.getAsString());
        if (port >= 1 && port <= 65535) {
          return Optional.of(port);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException("the ServiceInstance's " + key + " is not a port: " + value);
  }

  private static String rootCause(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
