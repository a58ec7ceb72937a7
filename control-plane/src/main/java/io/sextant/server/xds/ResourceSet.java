package io.sextant.server.xds;

import com.google.protobuf.Message;
import io.sextant.translator.Layer;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The wire form of one {@link Layer}: its resources by name, and a version that is an additive hash
 * of every resource's hash, so it depends on content only (not on history) and is updated in
 * O(changes). A set built from the previous set of the same layer remembers which names changed, so
 * streams can send just those.
 */
public final class ResourceSet {
  /** How far back {@link #changedSince} follows; older sets are compared name by name. */
  private static final int MAX_CHAIN = 32;

  static final ResourceSet EMPTY = new ResourceSet(Map.of(), List.of(), 0, null, Set.of(), 0);

  private final Map<String, Resource> byName;
  private final List<Resource> ordered;
  private final long hash;
  private final ResourceSet base;
  private final Set<String> changedFromBase;
  private final int depth;

  private ResourceSet(
      Map<String, Resource> byName,
      List<Resource> ordered,
      long hash,
      ResourceSet base,
      Set<String> changedFromBase,
      int depth) {
    this.byName = byName;
    this.ordered = ordered;
    this.hash = hash;
    this.base = base;
    this.changedFromBase = changedFromBase;
    this.depth = depth;
  }

  /**
   * The set of {@code layer}'s resources. Resources equal to {@code previous}'s keep their {@link
   * Resource} (no re-serialization when the message object is the same), and the result remembers
   * what changed from {@code previous}.
   */
  public static ResourceSet of(Layer layer, ResourceSet previous) {
    Map<String, Resource> byName = new HashMap<>();
    List<Resource> ordered = new ArrayList<>(layer.resources().size());
    Set<String> changed = new HashSet<>();
    long hash = 0;
    for (Message m : layer.resources()) {
      String name = Names.of(m);
      Resource old = previous == null ? null : previous.byName.get(name);
      Resource r = old != null && old.sameContentAs(m) ? old : Resource.of(name, m);
      if (r != old) {
        changed.add(name);
      }
      byName.put(name, r);
      ordered.add(r);
      hash += r.hash();
    }
    if (previous == null) {
      return new ResourceSet(byName, ordered, hash, null, Set.of(), 0);
    }
    for (String name : previous.byName.keySet()) {
      if (!byName.containsKey(name)) {
        changed.add(name);
      }
    }
    if (changed.isEmpty() && previous.byName.size() == byName.size()) {
      return previous;
    }
    boolean chain = previous.depth < MAX_CHAIN;
    return new ResourceSet(
        byName,
        ordered,
        hash,
        chain ? previous : null,
        chain ? changed : Set.of(),
        chain ? previous.depth + 1 : 0);
  }

  public Resource get(String name) {
    return byName.get(name);
  }

  public Collection<Resource> resources() {
    return ordered;
  }

  public int size() {
    return ordered.size();
  }

  /** The sum of the resources' hashes: content-addressed, and cheap to combine. */
  long hash() {
    return hash;
  }

  /**
   * The names added, changed or removed since {@code older}, if {@code older} is this set or one it
   * was derived from recently; empty when that cannot be told cheaply.
   */
  Optional<Set<String>> changedSince(ResourceSet older) {
    if (older == this) {
      return Optional.of(Set.of());
    }
    Set<String> changed = new HashSet<>();
    for (ResourceSet s = this; s != null; s = s.base) {
      if (s == older) {
        return Optional.of(changed);
      }
      changed.addAll(s.changedFromBase);
    }
    return Optional.empty();
  }
}
