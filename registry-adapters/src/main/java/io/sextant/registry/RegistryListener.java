package io.sextant.registry;

/** Receives per-service changes. Called from registry threads; implementations must not block. */
@FunctionalInterface
public interface RegistryListener {
  void onEvent(ServiceEvent event);
}
