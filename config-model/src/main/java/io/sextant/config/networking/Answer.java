package io.sextant.config.networking;

import java.util.Objects;
import java.util.Optional;

/**
 * What a route answers by itself instead of forwarding: Istio's {@code redirect} or {@code
 * directResponse}.
 */
public sealed interface Answer {
  /**
   * Istio's {@code HTTPRedirect}; empty parts keep the request's.
   *
   * @param code the status, 301 by default
   */
  record Redirect(
      Optional<String> uri, Optional<String> authority, int port, Optional<String> scheme, int code)
      implements Answer {
    public Redirect {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(authority, "authority");
      Objects.requireNonNull(scheme, "scheme");
    }
  }

  /** Istio's {@code HTTPDirectResponse}: a status and an optional body. */
  record Direct(int status, Optional<String> body) implements Answer {
    public Direct {
      Objects.requireNonNull(body, "body");
    }
  }
}
