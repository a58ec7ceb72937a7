package io.sextant.config.networking;

import java.util.Objects;
import java.util.Optional;

/**
 * Conditions on a request; all set conditions must hold.
 *
 * @param name optional name of the match
 * @param uri condition on the request path, if any
 */
public record HttpMatchRequest(String name, Optional<StringMatch> uri) {
  public HttpMatchRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uri, "uri");
  }
}
