package io.sextant.config;

import java.util.List;

/**
 * What loading one file produced. A file with any error is rejected as a whole: {@code resources}
 * is then empty and {@code errors} says why.
 */
public record LoadResult(List<ConfigResource> resources, List<ConfigError> errors) {
  public LoadResult {
    resources = List.copyOf(resources);
    errors = List.copyOf(errors);
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  public static LoadResult failed(List<ConfigError> errors) {
    return new LoadResult(List.of(), errors);
  }
}
