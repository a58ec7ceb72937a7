package io.sextant.registry.zookeeper;

import io.sextant.model.Locality;
import io.sextant.model.Protocol;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Apache Dubbo's providers: {@code /BASE/INTERFACE/providers/ENTRY}, where ENTRY is a URL-encoded
 * URL such as {@code dubbo://10.0.0.1:20880/com.foo.DemoService?version=1.0.0&group=g1}. The URL's
 * query parameters become the endpoint's labels and its scheme gives the protocol. The interface's
 * other children ({@code consumers}, {@code configurators}, {@code routers}) are not instances.
 */
final class DubboLayout implements TreeLayout {
  static final String PROVIDERS = "providers";

  private final String root;
  private final Protocol defaultProtocol;

  DubboLayout(String root, Protocol defaultProtocol) {
    this.root = root;
    this.defaultProtocol = defaultProtocol;
  }

  @Override
  public Optional<String> serviceOf(String path) {
    List<String> segments = TreeLayout.segmentsBelow(root, path);
    return segments.size() == 3 && segments.get(1).equals(PROVIDERS)
        ? Optional.of(segments.get(0))
        : Optional.empty();
  }

  /** The node's data is not read: everything is in its name. */
  @Override
  public Reading read(String path, byte[] data) {
    String url;
    try {
      url = URLDecoder.decode(TreeLayout.nodeName(path), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the entry is not URL-encoded: " + e.getMessage());
    }
    int schemeEnd = url.indexOf("://");
    if (schemeEnd <= 0) {
      throw new IllegalArgumentException("the entry is not a URL: " + url);
    }
    String scheme = url.substring(0, schemeEnd);
    String rest = url.substring(schemeEnd + 3);
    int queryStart = rest.indexOf('?');
    String query = queryStart < 0 ? "" : rest.substring(queryStart + 1);
    String beforeQuery = queryStart < 0 ? rest : rest.substring(0, queryStart);
    int pathStart = beforeQuery.indexOf('/');
    String authority = pathStart < 0 ? beforeQuery : beforeQuery.substring(0, pathStart);
    authority = authority.substring(authority.lastIndexOf('@') + 1); // user:password@
    HostPort hostPort = hostPort(authority, url);
    return new Reading(
        new Instance(
            hostPort.host(),
            hostPort.port(),
            protocol(scheme),
            parameters(query),
            Locality.UNKNOWN),
        Optional.empty());
  }

  /** Dubbo's protocol names: {@code dubbo} is its own binary protocol, carried as TCP. */
  Protocol protocol(String scheme) {
    return switch (scheme.toLowerCase(Locale.ROOT)) {
      case "dubbo" -> Protocol.TCP;
      case "tri", "grpc" -> Protocol.GRPC;
      case "http", "rest" -> Protocol.HTTP;
      default -> defaultProtocol;
    };
  }

  private record HostPort(String host, int port) {}

  private static HostPort hostPort(String authority, String url) {
    String host;
    String port;
    if (authority.startsWith("[")) { // [IPv6]:port
      int close = authority.indexOf(']');
      if (close < 0 || !authority.startsWith(":", close + 1)) {
        throw new IllegalArgumentException("the URL has no host:port: " + url);
      }
      host = authority.substring(1, close);
      port = authority.substring(close + 2);
    } else {
      int colon = authority.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("the URL has no port: " + url);
      }
      host = authority.substring(0, colon);
      port = authority.substring(colon + 1);
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("the URL has no host: " + url);
    }
    try {
      int number = Integer.parseInt(port);
      if (number >= 1 && number <= 65535) {
        return new HostPort(host, number);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("the URL's port is not a port: " + url);
  }

  /**
   * The query's parameters, in order; a repeated name keeps its last value. Names and values are
   * percent-decoded once more, for registries that encode them before encoding the whole URL; a
   * {@code +} stays a {@code +} (a version such as {@code 1.0.0+build.5}).
   */
  static Map<String, String> parameters(String query) {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = percentDecoded(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : percentDecoded(pair.substring(eq + 1));
      if (!name.isEmpty()) {
        parameters.put(name, value);
      }
    }
    return parameters;
  }

  /** Decodes {@code %XX} sequences only; text that is not validly encoded is kept as it is. */
  static String percentDecoded(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int i = 0;
    while (i < text.length()) {
      if (text.charAt(i) == '%') {
        if (i + 2 >= text.length()) {
          return text;
        }
        int high = Character.digit(text.charAt(i + 1), 16);
        int low = Character.digit(text.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return text;
        }
        bytes.write(high * 16 + low);
        i += 3;
      } else {
        int codePoint = text.codePointAt(i);
        byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
        i += Character.charCount(codePoint);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
