package io.sextant.config;

import java.util.Objects;

/** A position in a configuration file; line and column are 1-based. */
public record SourceLocation(String file, int line, int column) {
  public static final SourceLocation UNKNOWN = new SourceLocation("<unknown>", 0, 0);

  public SourceLocation {
    Objects.requireNonNull(file, "file");
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
