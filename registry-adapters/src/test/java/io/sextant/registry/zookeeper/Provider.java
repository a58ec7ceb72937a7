package io.sextant.registry.zookeeper;

import io.sextant.registry.zookeeper.ZooKeeperSettings.Layout;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;

/**
 * A service provider with its own ZooKeeper session, registering instances the way the layout's
 * real providers do: ephemeral nodes, re-registered after a reconnect.
 */
abstract class Provider implements AutoCloseable {
  final CuratorFramework client;
  private final AtomicBoolean closed = new AtomicBoolean();

  Provider(String connectString, Duration sessionTimeout) {
    int millis = (int) sessionTimeout.toMillis();
    client =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(millis)
            .connectionTimeoutMs(Math.min(millis, 5_000))
            .retryPolicy(new RetryNTimes(50, 200))
            .build();
    CountDownLatch connected = new CountDownLatch(1);
    client
        .getConnectionStateListenable()
        .addListener(
            (c, state) -> {
              if (state == ConnectionState.CONNECTED) {
                connected.countDown();
              }
            });
    client.start();
    // A provider registers once connected. Curator's ServiceDiscovery re-registers (deletes and
    // re-creates its nodes) on CONNECTED too, so registering earlier makes each node flap once.
    try {
      if (!connected.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("provider did not connect to " + connectString);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Provider start(Layout layout, String connectString, Duration sessionTimeout)
      throws Exception {
    return switch (layout) {
      case CURATOR -> new CuratorProvider(connectString, sessionTimeout);
      case DUBBO -> new DubboProvider(connectString, sessionTimeout);
    };
  }

  abstract void register(Registration registration) throws Exception;

  abstract void unregister(Registration registration) throws Exception;

  /** The node that holds {@code registration}. */
  abstract String path(Registration registration);

  /** Ends the session: ZooKeeper deletes the provider's nodes. Closing twice does nothing. */
  @Override
  public final void close() throws Exception {
    if (closed.compareAndSet(false, true)) {
      unregisterAll();
      client.close();
    }
  }

  /** What the provider does on a clean shutdown before its session ends. */
  void unregisterAll() throws Exception {}

  /**
   * Stops the way a crashed process does. Called while the server is down, so that ZooKeeper does
   * not hear of it: its nodes stay until its session expires.
   */
  void crash() {
    if (closed.compareAndSet(false, true)) {
      client.close();
    }
  }
}
