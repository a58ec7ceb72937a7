package io.sextant.server.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import io.sextant.translator.Layer;
import io.sextant.translator.envoy.Names;
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
  /** How many of its predecessors a set remembers; older sets are compared name by name. */
  private static final int HISTORY = 64;

  /**
   * One step of a layer's history: the names that changed from the set identified by {@code from}
   * to the next. Steps hold names only, never resources or sets, so a long history costs little (an
   * earlier design kept every older set alive, and ran a 10,000-service mesh out of heap).
   */
  private record Step(Object from, Set<String> changed) {}

  private static final Step[] NO_HISTORY = new Step[0];

  /** Up to this many resources are joined rather than copied into one array. */
  private static final int FEW = 8;

  /** Each resource's index in {@link #ordered}; shared by sets whose names stand alike. */
  private final Map<String, Integer> positions;

  private final List<Resource> ordered;
  private final long hash;

  /** Who this set is, in its successors' histories (not the set itself, which may be dropped). */
  private final Object id = new Object();

  /**
   * The last steps that led here, oldest first: a window that slides with every new set, so a
   * stream a few pushes behind can always be told what changed since, however long the layer has
   * been changing (a history that restarted every 32 steps sent 2,000 streams at once to compare
   * thousands of names each).
   */
  private final Step[] history;

  private ResourceSet(
      Map<String, Integer> positions, List<Resource> ordered, long hash, Step[] history) {
    this.positions = positions;
    this.ordered = ordered;
    this.hash = hash;
    this.history = history;
  }

  /**
   * The set of {@code layer}'s resources. Resources equal to {@code previous}'s keep their bytes,
   * and the result remembers what changed from {@code previous}.
   *
   * <p>A resource whose message is the very object {@code previous} was built from is not
   * serialized again. One that is an equal but different object (a layer recomputed, after a rule
   * change, with the same content) is serialized once to compare, and the result keeps that object
   * as the resource's source, so that the next set built from the same objects compares them by
   * identity. Keeping the older object instead made every endpoint push after a rule change
   * serialize every assignment of the mesh again, a third of the control plane's CPU in {@code
   * mesh-10k}.
   */
  public static ResourceSet of(Layer layer, ResourceSet previous) {
    List<? extends Message> messages = layer.resources();
    List<Resource> ordered = new ArrayList<>(messages.size());
    Set<String> changed = new HashSet<>();
    boolean newSources = false;
    long hash = 0;
    // While every name stands where it stood in the previous set (an endpoint change keeps every
    // assignment's name and place), the positions by name are the previous set's, shared rather
    // than built again: building them was most of this method's time in mesh-10k, where every
    // endpoint change makes a set of 12,000 assignments.
    boolean shared = previous != null && previous.ordered.size() == messages.size();
    Map<String, Integer> positions = shared ? previous.positions : new HashMap<>();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      Resource old;
      String name;
      if (shared) {
        Resource there = previous.ordered.get(i);
        if (there.source() == m) {
          ordered.add(there);
          hash += there.hash();
          continue;
        }
        name = Names.of(m);
        if (there.name().equals(name)) {
          old = there;
        } else {
          shared = false; // from here on, this set has positions of its own
          positions = new HashMap<>();
          for (int j = 0; j < i; j++) {
            positions.put(ordered.get(j).name(), j);
          }
          old = previous.get(name);
        }
      } else {
        name = Names.of(m);
        old = previous == null ? null : previous.get(name);
      }
      Resource r;
      if (old != null && old.source() == m) {
        r = old;
      } else if (old != null && old.sameContentAs(m)) {
        r = old.withSource(m);
        newSources = true;
      } else {
        r = Resource.of(name, m);
        changed.add(name);
      }
      if (!shared) {
        positions.put(name, i);
      }
      ordered.add(r);
      hash += r.hash();
    }
    if (previous == null) {
      return new ResourceSet(positions, ordered, hash, NO_HISTORY);
    }
    if (positions != previous.positions) {
      for (String name : previous.positions.keySet()) {
        if (!positions.containsKey(name)) {
          changed.add(name);
        }
      }
    }
    if (changed.isEmpty() && previous.positions.size() == positions.size() && !newSources) {
      return previous;
    }
    Step[] before = previous.history;
    int kept = Math.min(before.length, HISTORY - 1);
    Step[] history = new Step[kept + 1];
    System.arraycopy(before, before.length - kept, history, 0, kept);
    history[kept] = new Step(previous.id, Set.copyOf(changed));
    return new ResourceSet(positions, ordered, hash, history);
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
    if (subscription.size() >= ordered.size() && subscription.containsAll(positions.keySet())) {
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

  /**
   * The resources field for {@code resources}. A few (a stream's changed assignments) are joined
   * without copying; many (a whole set, encoded once and shared) are copied once into one array.
   */
  static Encoding encode(boolean delta, Collection<Resource> resources) {
    if (resources.size() <= FEW) {
      ByteString joined = ByteString.EMPTY;
      for (Resource r : resources) {
        joined = joined.concat(delta ? r.deltaEntry() : r.sotwEntry());
      }
      return new Encoding(joined, resources.size());
    }
    long size = 0;
    for (Resource r : resources) {
      size += (delta ? r.deltaEntry() : r.sotwEntry()).size();
    }
    byte[] all = new byte[Math.toIntExact(size)];
    int at = 0;
    for (Resource r : resources) {
      ByteString entry = delta ? r.deltaEntry() : r.sotwEntry();
      entry.copyTo(all, at);
      at += entry.size();
    }
    return new Encoding(UnsafeByteOperations.unsafeWrap(all), resources.size());
  }

  public Resource get(String name) {
    Integer at = positions.get(name);
    return at == null ? null : ordered.get(at);
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
    if (older.id == lastOlder) {
      return lastChanged;
    }
    Optional<Set<String>> answer = Optional.empty();
    Set<String> changed = new HashSet<>();
    for (int i = history.length - 1; i >= 0; i--) {
      changed.addAll(history[i].changed());
      if (history[i].from() == older.id) {
        answer = Optional.of(Collections.unmodifiableSet(changed));
        break;
      }
    }
    lastOlder = older.id;
    lastChanged = answer;
    return answer;
  }

  private Object lastOlder;
  private Optional<Set<String>> lastChanged;
}
