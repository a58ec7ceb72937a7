package io.sextant.server.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.sextant.translator.Layer;
import io.sextant.translator.envoy.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
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

  /**
   * A set's place in the history of its layer: what changed from the set before it. Steps hold
   * names only, never resources, so a long history costs little (an earlier design kept every older
   * set alive through the chain, and ran a 10,000-service mesh out of heap).
   */
  private record Step(Step previous, Set<String> changed, int depth) {
    static Step fresh() {
      return new Step(null, Set.of(), 0);
    }
  }

  private final Map<String, Resource> byName;
  private final List<Resource> ordered;
  private final long hash;
  private final Step step;

  private ResourceSet(Map<String, Resource> byName, List<Resource> ordered, long hash, Step step) {
    this.byName = byName;
    this.ordered = ordered;
    this.hash = hash;
    this.step = step;
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
      return new ResourceSet(byName, ordered, hash, Step.fresh());
    }
    for (String name : previous.byName.keySet()) {
      if (!byName.containsKey(name)) {
        changed.add(name);
      }
    }
    if (changed.isEmpty() && previous.byName.size() == byName.size()) {
      return previous;
    }
    Step before = previous.step;
    return new ResourceSet(
        byName,
        ordered,
        hash,
        before.depth() < MAX_CHAIN
            ? new Step(before, Set.copyOf(changed), before.depth() + 1)
            : Step.fresh());
  }

  /** Encoded resources: the bytes of a response's resources field, and how many they are. */
  record Encoding(ByteString bytes, int count) {
    static final Encoding NONE = new Encoding(ByteString.EMPTY, 0);

    Encoding plus(Encoding other) {
      return other.count == 0 ? this : new Encoding(bytes.concat(other.bytes), count + other.count);
    }
  }

  private Encoding sotwAll;
  private Encoding deltaAll;
  private final Map<Set<String>, Encoding> sotwSubsets = new IdentityHashMap<>();
  private final Map<Set<String>, Encoding> deltaSubsets = new IdentityHashMap<>();

  /**
   * The resources field of a response carrying every resource here, encoded once and shared by
   * every stream that sends it.
   */
  synchronized Encoding entries(boolean delta) {
    if (delta ? deltaAll == null : sotwAll == null) {
      Encoding e = encode(delta, ordered);
      if (delta) {
        deltaAll = e;
      } else {
        sotwAll = e;
      }
    }
    return delta ? deltaAll : sotwAll;
  }

  /**
   * The resources field for the resources named in {@code subscription} (an interned set, shared by
   * the streams that subscribe alike), encoded once per subscription.
   */
  synchronized Encoding entries(boolean delta, Set<String> subscription) {
    Map<Set<String>, Encoding> cache = delta ? deltaSubsets : sotwSubsets;
    Encoding cached = cache.get(subscription);
    if (cached != null) {
      return cached;
    }
    Encoding encoded;
    if (subscription.size() >= ordered.size() && subscription.containsAll(byName.keySet())) {
      encoded = entries(delta);
    } else {
      encoded =
          encode(delta, ordered.stream().filter(r -> subscription.contains(r.name())).toList());
    }
    if (cache.size() > 64) {
      cache.clear(); // subscriptions churn rarely; this only bounds a pathological case
    }
    cache.put(subscription, encoded);
    return encoded;
  }

  static Encoding encode(boolean delta, Collection<Resource> resources) {
    ByteString.Output out = ByteString.newOutput();
    try {
      for (Resource r : resources) {
        (delta ? r.deltaEntry() : r.sotwEntry()).writeTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Encoding(out.toByteString(), resources.size());
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
  public synchronized Optional<Set<String>> changedSince(ResourceSet older) {
    if (older == this) {
      return Optional.of(Set.of());
    }
    // Every stream of every group sharing this set asks the same question after a push.
    if (older.step == lastOlder) {
      return lastChanged;
    }
    Optional<Set<String>> answer = Optional.empty();
    Set<String> changed = new HashSet<>();
    for (Step s = step; s != null; s = s.previous()) {
      if (s == older.step) {
        answer = Optional.of(Collections.unmodifiableSet(changed));
        break;
      }
      changed.addAll(s.changed());
    }
    lastOlder = older.step;
    lastChanged = answer;
    return answer;
  }

  private Step lastOlder;
  private Optional<Set<String>> lastChanged;
}
