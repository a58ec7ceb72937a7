package io.sextant.config.networking;

import java.util.Objects;

/** Istio's {@code StringMatch}: one way of comparing a string. */
public sealed interface StringMatch {
  String value();

  record Exact(String value) implements StringMatch {
    public Exact {
      Objects.requireNonNull(value, "value");
    }
  }

  record Prefix(String value) implements StringMatch {
    public Prefix {
      Objects.requireNonNull(value, "value");
    }
  }

  /** An RE2 regular expression that must match the whole string. */
  record Regex(String value) implements StringMatch {
    public Regex {
      Objects.requireNonNull(value, "value");
    }
  }
}
