package io.sextant.config;

import java.util.Objects;

/**
 * A problem found in user configuration, located precisely enough to fix it.
 *
 * @param location file, line and column of the offending value
 * @param path the field path inside the document, such as {@code spec.http[0].route[1].weight}
 * @param message what is wrong and what was expected
 */
public record ConfigError(SourceLocation location, String path, String message) {
  public ConfigError {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /** Renders as {@code file:line:column: path: message}, the form printed everywhere. */
  @Override
  public String toString() {
    return path.isEmpty() ? location + ": " + message : location + ": " + path + ": " + message;
  }
}
