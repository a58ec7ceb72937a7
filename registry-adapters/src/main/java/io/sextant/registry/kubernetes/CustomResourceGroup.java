package io.sextant.registry.kubernetes;

import io.sextant.config.ConfigLoader;
import io.sextant.config.sextant.RateLimit;
import java.util.List;
import java.util.Objects;

/**
 * Kinds of one API group that a {@link CustomResourceFeed} watches.
 *
 * @param name the API group, such as {@code networking.istio.io}
 * @param versions the versions Sextant reads, all with the same schema, preferred first
 * @param kinds the kinds to watch, such as {@code VirtualService}
 */
public record CustomResourceGroup(String name, List<String> versions, List<String> kinds) {
  public CustomResourceGroup {
    Objects.requireNonNull(name, "name");
    versions = List.copyOf(versions);
    kinds = List.copyOf(kinds);
    if (versions.isEmpty() || kinds.isEmpty()) {
      throw new IllegalArgumentException("a group needs versions and kinds: " + name);
    }
  }

  /** Kinds of Istio's {@code networking.istio.io}, in the three versions Istio serves. */
  public static CustomResourceGroup istio(String... kinds) {
    return of(ConfigLoader.NETWORKING_API_VERSIONS, List.of(kinds));
  }

  /** Sextant's own {@code sextant.io} kinds. */
  public static CustomResourceGroup sextant() {
    return of(List.of(RateLimit.API_VERSION), List.of(RateLimit.KIND));
  }

  /** The group of {@code apiVersions}, each {@code GROUP/VERSION} of one group. */
  private static CustomResourceGroup of(List<String> apiVersions, List<String> kinds) {
    String first = apiVersions.get(0);
    return new CustomResourceGroup(
        first.substring(0, first.indexOf('/')),
        apiVersions.stream().map(v -> v.substring(v.indexOf('/') + 1)).toList(),
        kinds);
  }

  /** {@code GROUP/VERSION}. */
  String apiVersion(String version) {
    return name + "/" + version;
  }
}
