package io.sextant.server.xds;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open ADS stream by proxy group, and the snapshot each group is served. Publishing a group's
 * snapshot pushes it to that group's streams, each of which sends only what changed for what it
 * subscribes to.
 */
public final class XdsStreams {
  private final Map<String, GroupSnapshot> current = new ConcurrentHashMap<>();
  private final Map<String, Set<XdsStream>> byGroup = new ConcurrentHashMap<>();
  final SendBudget<XdsStream> budget;

  public XdsStreams() {
    this(io.sextant.server.config.SextantConfig.Push.DEFAULT_MAX_IN_FLIGHT_BYTES);
  }

  /**
   * @param maxInFlightBytes response bytes that may wait for ACKs at once, across all streams
   */
  public XdsStreams(long maxInFlightBytes) {
    this.budget = SendBudget.forStreams(maxInFlightBytes);
  }

  /** Makes {@code snapshot} current for {@code group} and pushes it to the group's streams. */
  public void publish(String group, GroupSnapshot snapshot) {
    current.put(group, snapshot);
    for (XdsStream s : byGroup.getOrDefault(group, Set.of())) {
      s.push(snapshot);
    }
  }

  /** The snapshot {@code group} is served, or null before its first publication. */
  public GroupSnapshot current(String group) {
    return current.get(group);
  }

  /** Forgets a group: its snapshot is dropped unless a stream of it is still open. */
  public synchronized boolean forget(String group) {
    Set<XdsStream> open = byGroup.get(group);
    if (open != null && !open.isEmpty()) {
      return false;
    }
    current.remove(group);
    byGroup.remove(group);
    return true;
  }

  synchronized void join(XdsStream stream, String group) {
    byGroup.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(stream);
  }

  synchronized void leave(XdsStream stream, String group) {
    Set<XdsStream> open = byGroup.get(group);
    if (open != null) {
      open.remove(stream);
    }
  }
}
