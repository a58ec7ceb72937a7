package io.sextant.registry;

import io.sextant.config.ConfigError;
import java.util.List;
import java.util.Objects;

/**
 * How a registry or rule source is doing.
 *
 * @param name the configured name
 * @param type the source type, e.g. {@code file}
 * @param synced whether the first complete state has been delivered
 * @param stale whether the backend is unreachable and the last known state is being served
 * @param errors current problems: rejected files with their located errors, connection errors
 */
public record SourceStatus(
    String name, String type, boolean synced, boolean stale, List<ConfigError> errors) {
  public SourceStatus {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    errors = List.copyOf(errors);
  }
}
