package io.sextant.translator;

import java.util.List;
import java.util.Objects;

/** The resources for one proxy, and what could not be translated as written. */
public record Translation(XdsResources resources, List<Diagnostic> diagnostics) {
  public Translation {
    Objects.requireNonNull(resources, "resources");
    diagnostics = List.copyOf(diagnostics);
  }
}
