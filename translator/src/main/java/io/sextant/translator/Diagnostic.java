package io.sextant.translator;

import java.util.Objects;
import java.util.Optional;

/**
 * Something in the user's configuration that could not be translated as written, and what was done
 * instead. Not an error of ours: the rest of the configuration is still served.
 *
 * @param subject what it is about, e.g. {@code VirtualService shop/reviews (rules.yaml:3:1)}
 * @param message what happened
 * @param proxyKind the kind of proxy it concerns, when only one kind is affected (such as a feature
 *     left out for proxyless gRPC clients); shown in those proxies' {@code /debug/config_dump}
 */
public record Diagnostic(String subject, String message, Optional<ProxyKind> proxyKind) {
  public Diagnostic {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(proxyKind, "proxyKind");
  }

  public Diagnostic(String subject, String message) {
    this(subject, message, Optional.empty());
  }

  @Override
  public String toString() {
    return subject + ": " + message;
  }
}
