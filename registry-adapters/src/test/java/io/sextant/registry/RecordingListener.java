package io.sextant.registry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event a registry delivers; safe to read while the registry's thread writes. */
public final class RecordingListener implements RegistryListener {
  private final List<ServiceEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(ServiceEvent event) {
    events.add(event);
  }

  public List<ServiceEvent> events() {
    return List.copyOf(events);
  }

  /** The events about {@code hostname}, rendered as {@code KIND hostname} for readable asserts. */
  public List<String> about(String hostname) {
    return events.stream()
        .filter(e -> e.hostname().equals(hostname))
        .map(e -> e.kind() + " " + e.hostname())
        .toList();
  }

  public void clear() {
    events.clear();
  }
}
