package io.sextant.config.networking;

import io.sextant.config.SourceLocation;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP route of a VirtualService.
 *
 * @param name optional name, copied to the Envoy route
 * @param match alternatives, any of which selects this route; empty matches everything
 * @param route weighted destinations
 * @param location where in the file the route was written
 * @param headers header operations for every destination of the route
 * @param rewrite path and authority rewrites, if any
 * @param answer a redirect or direct response given instead of forwarding; {@code route} is then
 *     empty
 * @param timeout how long a request may take, retries included; empty for no limit (Istio's
 *     default)
 * @param retries how failed requests are retried; empty for Istio's default policy
 * @param mirrors where copies of the requests are sent
 * @param fault delays and aborts injected into the route's requests, if any
 * @param cors the route's CORS policy, if any
 */
public record HttpRoute(
    String name,
    List<HttpMatchRequest> match,
    List<HttpRouteDestination> route,
    SourceLocation location,
    HeaderOperations headers,
    Optional<Rewrite> rewrite,
    Optional<Answer> answer,
    Optional<java.time.Duration> timeout,
    Optional<RetryPolicy> retries,
    List<Mirror> mirrors,
    Optional<Fault> fault,
    Optional<CorsPolicy> cors) {
  public HttpRoute {
    Objects.requireNonNull(name, "name");
    match = List.copyOf(match);
    route = List.copyOf(route);
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(rewrite, "rewrite");
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(retries, "retries");
    mirrors = List.copyOf(mirrors);
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(cors, "cors");
  }

  /** A route without header operations, rewrites, faults or CORS. */
  public HttpRoute(
      String name,
      List<HttpMatchRequest> match,
      List<HttpRouteDestination> route,
      SourceLocation location) {
    this(
        name,
        match,
        route,
        location,
        HeaderOperations.NONE,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Optional.empty(),
        Optional.empty());
  }
}
