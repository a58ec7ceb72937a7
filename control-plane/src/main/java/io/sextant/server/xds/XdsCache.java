package io.sextant.server.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.sextant.translator.ProxyContext;

/**
 * One snapshot per proxy group, served by java-control-plane's {@link SimpleCache}. A proxy's group
 * is {@link ProxyContext#groupKey()} of its node.
 */
public final class XdsCache {
  private final SimpleCache<String> cache =
      new SimpleCache<>(node -> ProxyContext.fromNode(node).groupKey());
  private final ConfigWatcher watcher = new XdsWatcher(cache);

  /** What the ADS server asks for watches. */
  public ConfigWatcher watcher() {
    return watcher;
  }

  /** Makes {@code snapshot} current for {@code group} and answers the group's open watches. */
  public void publish(String group, GroupSnapshot snapshot) {
    cache.setSnapshot(group, snapshot);
  }

  /**
   * Forgets a group no proxy uses any more. Returns false, and forgets nothing, while a stream
   * still watches the group (java-control-plane cancels a closed stream's watches only after
   * reporting the close).
   */
  public boolean forget(String group) {
    return cache.clearSnapshot(group);
  }
}
