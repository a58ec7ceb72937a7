package io.sextant.config.networking;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Conditions on a request; all set conditions must hold.
 *
 * @param name optional name of the match
 * @param uri condition on the request path, if any
 * @param ignoreUriCase whether {@code uri} compares without regard to case
 * @param method condition on the HTTP method, if any
 * @param authority condition on the authority (Host), if any
 * @param headers conditions on request headers, by lower-case name; an empty optional means the
 *     header must be present, with any value
 * @param queryParams conditions on query parameters, by name; an empty optional means the parameter
 *     must be present
 * @param port the service port the match is limited to; 0 for every port
 * @param sourceLabels labels the calling workload must carry; this decides which proxies get the
 *     route, it is not checked per request
 * @param sourceNamespace the namespace the calling workload must be in; empty for any
 */
public record HttpMatchRequest(
    String name,
    Optional<StringMatch> uri,
    boolean ignoreUriCase,
    Optional<StringMatch> method,
    Optional<StringMatch> authority,
    Map<String, Optional<StringMatch>> headers,
    Map<String, Optional<StringMatch>> queryParams,
    int port,
    Map<String, String> sourceLabels,
    String sourceNamespace) {
  public HttpMatchRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(authority, "authority");
    headers = Collections.unmodifiableMap(new TreeMap<>(headers));
    queryParams = Collections.unmodifiableMap(new TreeMap<>(queryParams));
    sourceLabels = Map.copyOf(sourceLabels);
    Objects.requireNonNull(sourceNamespace, "sourceNamespace");
  }

  /** Whether a workload in {@code namespace} with {@code labels} gets routes with this match. */
  public boolean appliesToSource(String namespace, Map<String, String> labels) {
    return (sourceNamespace.isEmpty() || sourceNamespace.equals(namespace))
        && labels.entrySet().containsAll(sourceLabels.entrySet());
  }

  /** Whether this match depends on the calling workload. */
  public boolean selectsSource() {
    return !sourceLabels.isEmpty() || !sourceNamespace.isEmpty();
  }

  /** A match on the path alone. */
  public HttpMatchRequest(String name, Optional<StringMatch> uri) {
    this(name, uri, false, Optional.empty(), Optional.empty(), Map.of(), Map.of(), 0, Map.of(), "");
  }
}
