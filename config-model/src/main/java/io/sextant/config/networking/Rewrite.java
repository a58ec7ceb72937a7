package io.sextant.config.networking;

import java.util.Objects;
import java.util.Optional;

/**
 * Istio's {@code HTTPRewrite}.
 *
 * @param uri replaces the matched path prefix (the whole path of an exact match)
 * @param authority replaces the Host/authority header
 * @param uriRegex an RE2 regex and its substitution, applied to the path; not with {@code uri}
 */
public record Rewrite(
    Optional<String> uri, Optional<String> authority, Optional<RegexRewrite> uriRegex) {
  public Rewrite {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(uriRegex, "uriRegex");
  }

  /** Istio's {@code RegexRewrite}: {@code match} (RE2) replaced by {@code rewrite}. */
  public record RegexRewrite(String match, String rewrite) {
    public RegexRewrite {
      Objects.requireNonNull(match, "match");
      Objects.requireNonNull(rewrite, "rewrite");
    }
  }
}
