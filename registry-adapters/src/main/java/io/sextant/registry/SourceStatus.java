package io.sextant.registry;

import io.sextant.config.ConfigError;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a registry or rule source is doing.
 *
 * @param name the configured name
 * @param type the source type, e.g. {@code file}
 * @param synced whether the first complete state has been delivered
 * @param stale whether the backend is unreachable and the last known state is being served
 * @param errors current problems: rejected files with their located errors, connection errors
 * @param lastSync when the source last knew its state to be current (for a watched API server, the
 *     last moment every watch was open); empty for sources that are always current, or never synced
 * @param rejections how many file or resource versions the source has rejected since it started
 */
public record SourceStatus(
    String name,
    String type,
    boolean synced,
    boolean stale,
    List<ConfigError> errors,
    Optional<Instant> lastSync,
    long rejections) {
  public SourceStatus {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    errors = List.copyOf(errors);
    Objects.requireNonNull(lastSync, "lastSync");
  }

  /** A source that rejects nothing (its input needs no validation). */
  public SourceStatus(
      String name,
      String type,
      boolean synced,
      boolean stale,
      List<ConfigError> errors,
      Optional<Instant> lastSync) {
    this(name, type, synced, stale, errors, lastSync, 0);
  }

  /** A source that is current whenever it is synced, such as files. */
  public SourceStatus(
      String name, String type, boolean synced, boolean stale, List<ConfigError> errors) {
    this(name, type, synced, stale, errors, Optional.empty());
  }
}
