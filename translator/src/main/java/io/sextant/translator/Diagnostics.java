package io.sextant.translator;

import io.sextant.config.ResourceMeta;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Collects {@link Diagnostic}s during one translation, without duplicates, in order. */
public final class Diagnostics {
  private final Set<Diagnostic> found = new LinkedHashSet<>();

  public void add(String subject, String message) {
    found.add(new Diagnostic(subject, message));
  }

  public void add(ResourceMeta rule, String message) {
    add(subject(rule), message);
  }

  /** A diagnostic about what proxies of {@code kind} only get, or do not get. */
  public void add(ProxyKind kind, String subject, String message) {
    found.add(new Diagnostic(subject, message, Optional.of(kind)));
  }

  public void add(ProxyKind kind, ResourceMeta rule, String message) {
    add(kind, subject(rule), message);
  }

  public static String subject(ResourceMeta rule) {
    return rule.qualifiedName() + " (" + rule.location() + ")";
  }

  /** A new collection holding the same diagnostics, to which more can be added. */
  Diagnostics copy() {
    Diagnostics d = new Diagnostics();
    d.found.addAll(found);
    return d;
  }

  public List<Diagnostic> list() {
    return new ArrayList<>(found);
  }
}
