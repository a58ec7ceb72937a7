package io.sextant.config;

/**
 * One loaded Istio resource: {@code ServiceEntry}, {@code VirtualService} or {@code
 * DestinationRule} for now. (Not sealed: the kinds live in their API group's package, and a sealed
 * interface cannot span packages outside a named module.)
 */
public interface ConfigResource {
  ResourceMeta meta();
}
