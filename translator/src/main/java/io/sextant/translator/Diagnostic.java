package io.sextant.translator;

import java.util.Objects;

/**
 * Something in the user's configuration that could not be translated as written, and what was done
 * instead. Not an error of ours: the rest of the configuration is still served.
 *
 * @param subject what it is about, e.g. {@code VirtualService shop/reviews (rules.yaml:3:1)}
 * @param message what happened
 */
public record Diagnostic(String subject, String message) {
  public Diagnostic {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return subject + ": " + message;
  }
}
