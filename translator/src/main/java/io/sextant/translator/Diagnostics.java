package io.sextant.translator;

import io.sextant.config.ResourceMeta;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Collects {@link Diagnostic}s during one translation, without duplicates, in order. */
public final class Diagnostics {
  private final Set<Diagnostic> found = new LinkedHashSet<>();

  /** Lists that also receive every diagnostic added meanwhile, repeats included; see record. */
  private final List<List<Diagnostic>> recorders = new ArrayList<>();

  public void add(String subject, String message) {
    put(new Diagnostic(subject, message));
  }

  private void put(Diagnostic d) {
    found.add(d);
    for (List<Diagnostic> r : recorders) {
      r.add(d);
    }
  }

  /**
   * Runs {@code compute}, and adds to {@code into} every diagnostic it produces, including those
   * already found before: what a result carried into a later translation must report again.
   */
  <T> T record(Supplier<T> compute, List<Diagnostic> into) {
    recorders.add(into);
    try {
      return compute.get();
    } finally {
      recorders.remove(recorders.size() - 1);
    }
  }

  /** Adds diagnostics found by an earlier translation for a result that is being reused. */
  void addAll(List<Diagnostic> diagnostics) {
    diagnostics.forEach(this::put);
  }

  public void add(ResourceMeta rule, String message) {
    add(subject(rule), message);
  }

  /** A diagnostic about what proxies of {@code kind} only get, or do not get. */
  public void add(ProxyKind kind, String subject, String message) {
    put(new Diagnostic(subject, message, Optional.of(kind)));
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
