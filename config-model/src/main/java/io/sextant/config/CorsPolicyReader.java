package io.sextant.config;

import io.sextant.config.networking.CorsPolicy;
import io.sextant.config.networking.StringMatch;
import io.sextant.config.yaml.YamlObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Reads Istio's {@code CorsPolicy} ({@code corsPolicy} on an HTTP route). */
final class CorsPolicyReader {
  private CorsPolicyReader() {}

  static CorsPolicy read(YamlObject c) {
    List<StringMatch> origins = new ArrayList<>();
    c.list("allowOrigins", s -> VirtualServiceReader.readStringMatch(s, false)).stream()
        .filter(Objects::nonNull)
        .forEach(origins::add);
    // The deprecated form: exact origins.
    c.stringList("allowOrigin").stream().map(StringMatch.Exact::new).forEach(origins::add);
    List<String> methods = c.stringList("allowMethods");
    List<String> headers = c.stringList("allowHeaders");
    List<String> expose = c.stringList("exposeHeaders");
    Optional<Duration> maxAge = IstioDurations.read(c, "maxAge", Duration.ZERO);
    Optional<Boolean> credentials = c.bool("allowCredentials");
    Optional<CorsPolicy.UnmatchedPreflights> unmatched =
        c.oneOf("unmatchedPreflights", List.of("UNSPECIFIED", "FORWARD", "IGNORE"))
            .filter(v -> !v.equals("UNSPECIFIED"))
            .map(CorsPolicy.UnmatchedPreflights::valueOf);
    c.unsupported("allowPrivateNetwork");
    c.finish();
    return new CorsPolicy(origins, methods, headers, expose, maxAge, credentials, unmatched);
  }
}
