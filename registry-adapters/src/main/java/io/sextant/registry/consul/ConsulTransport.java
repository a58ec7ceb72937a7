package io.sextant.registry.consul;

import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.Utils;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.transport.TransportException;
import com.ecwid.consul.v1.ConsulRawClient;
import com.ecwid.consul.v1.Request;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * consul-api's raw client with the JDK's HTTP client underneath instead of its Apache one, so that
 * {@code ConsulClient}'s catalog and health calls, its request, response and model classes are used
 * as they are, while this class decides how the bytes travel:
 *
 * <ul>
 *   <li>the ACL token goes in the {@code X-Consul-Token} header of every request (consul-api's
 *       request objects would put it in the URL as {@code ?token=}, where proxies and access logs
 *       keep it);
 *   <li>TLS trusts the CA and presents the client certificate from PEM files (consul-api only takes
 *       keystore files, and then insists on a client certificate);
 *   <li>each request times out a little after Consul's longest hold ({@code wait} plus the up to
 *       {@code wait/16} jitter Consul adds), so a silently broken connection is noticed within
 *       about a minute instead of consul-api's ten;
 *   <li>no connection pool cap: one blocking query per service needs one connection per service
 *       (consul-api's shared pool stops at 500 per agent and fails the rest after 10 s).
 * </ul>
 *
 * <p>Only the GET requests a registry makes are supported.
 */
final class ConsulTransport extends ConsulRawClient {
  static final String TOKEN_HEADER = "X-Consul-Token";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration MARGIN = Duration.ofSeconds(10);

  private final String base;
  private final HttpClient http;
  private final Optional<String> token;
  private final Duration requestTimeout;

  ConsulTransport(ConsulSettings settings) {
    this.base = baseUrl(settings.address());
    this.token = settings.token().filter(t -> !t.isBlank());
    Duration wait = settings.blockingWait();
    this.requestTimeout = wait.plus(wait.dividedBy(16)).plus(MARGIN);
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            // HTTP/2 would multiplex every blocking query over one connection, and Consul's Go
            // server allows only 250 concurrent streams on one.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (base.startsWith("https://") && settings.tls().isPresent()) {
      builder.sslContext(tlsContext(settings.tls().get()));
    }
    this.http = builder.build();
  }

  private static SSLContext tlsContext(ConsulSettings.Tls tls) {
    try {
      return TlsContexts.create(tls);
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read Consul TLS files: " + e.getMessage(), e);
    }
  }

  /**
   * {@code scheme://host:port[/path]} from the configured address; {@code http} when no scheme is
   * given, Consul's ports 8500 (HTTP) and 8501 (HTTPS) when no port is.
   */
  static String baseUrl(String address) {
    String a = address.strip();
    if (!a.contains("://")) {
      a = "http://" + a;
    }
    URI uri = URI.create(a);
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("Consul address must be http:// or https://: " + address);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("Consul address has no host: " + address);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 8501 : 8500;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return scheme + "://" + uri.getHost() + ":" + port + path;
  }

  @Override
  public HttpResponse makeGetRequest(String endpoint, UrlParameters... urlParams) {
    return makeGetRequest(endpoint, Arrays.asList(urlParams));
  }

  @Override
  public HttpResponse makeGetRequest(String endpoint, List<UrlParameters> urlParams) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(Utils.generateUrl(base + endpoint, urlParams)))
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .GET();
    token.ifPresent(t -> request.header(TOKEN_HEADER, t));
    try {
      java.net.http.HttpResponse<String> response =
          http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      var headers = response.headers();
      return new HttpResponse(
          response.statusCode(),
          "HTTP " + response.statusCode(),
          response.body(),
          headers.firstValue("X-Consul-Index").map(ConsulTransport::unsigned).orElse(null),
          headers.firstValue("X-Consul-Knownleader").map(Boolean::valueOf).orElse(null),
          headers.firstValue("X-Consul-Lastcontact").map(ConsulTransport::unsigned).orElse(null));
    } catch (IOException e) {
      throw new TransportException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(e);
    }
  }

  private static Long unsigned(String value) {
    try {
      return Long.parseUnsignedLong(value.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public HttpResponse makeGetRequest(Request request) {
    throw new UnsupportedOperationException("the Consul registry only reads the catalog");
  }

  @Override
  public HttpResponse makePutRequest(String endpoint, String content, UrlParameters... params) {
    throw new UnsupportedOperationException("the Consul registry only reads the catalog");
  }

  @Override
  public HttpResponse makePutRequest(Request request) {
    throw new UnsupportedOperationException("the Consul registry only reads the catalog");
  }

  @Override
  public HttpResponse makeDeleteRequest(Request request) {
    throw new UnsupportedOperationException("the Consul registry only reads the catalog");
  }

  /** For logs and errors: where requests go. */
  String base() {
    return base;
  }
}
