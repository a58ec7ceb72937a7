package io.sextant.registry.zookeeper;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Registers the way Apache Dubbo's ZooKeeper registry does: one ephemeral node per exported URL,
 * named by the URL-encoded URL, under persistent {@code /dubbo/INTERFACE/providers}. After a
 * reconnect it re-creates each node its current session does not own: one deleted with an expired
 * session, or one left by that session until the server expires it.
 */
final class DubboProvider extends Provider {
  static final String ROOT = "/dubbo";

  private final Set<String> registered = ConcurrentHashMap.newKeySet();

  DubboProvider(String connectString, Duration sessionTimeout) {
    super(connectString, sessionTimeout);
    client
        .getConnectionStateListenable()
        .addListener(
            (c, state) -> {
              if (state == ConnectionState.RECONNECTED) {
                recover();
              }
            });
  }

  @Override
  void register(Registration registration) throws Exception {
    String path = nodePath(registration);
    client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path);
    registered.add(path);
  }

  @Override
  void unregister(Registration registration) throws Exception {
    String path = nodePath(registration);
    registered.remove(path);
    client.delete().forPath(path);
  }

  private void recover() {
    for (String path : registered) {
      try {
        long session = client.getZookeeperClient().getZooKeeper().getSessionId();
        Stat stat = client.checkExists().forPath(path);
        if (stat != null && stat.getEphemeralOwner() == session) {
          continue;
        }
        if (stat != null) {
          client.delete().forPath(path);
        }
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path);
      } catch (KeeperException.NodeExistsException | KeeperException.NoNodeException e) {
        // raced with the server expiring the old session; the next reconnect tries again
      } catch (Exception e) {
        throw new IllegalStateException("re-registering " + path, e);
      }
    }
  }

  /** Writes a persistent provider entry ({@code dynamic=false}), which no session owns. */
  static String writeStatic(CuratorFramework admin, Registration registration) throws Exception {
    String path = nodePath(registration);
    admin.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path);
    return path;
  }

  @Override
  String path(Registration registration) {
    return nodePath(registration);
  }

  static String nodePath(Registration registration) {
    return ROOT
        + "/"
        + registration.service()
        + "/providers/"
        + URLEncoder.encode(url(registration), StandardCharsets.UTF_8);
  }

  /** {@code SCHEME://ADDRESS:PORT/INTERFACE?LABELS}, the labels as Dubbo writes its parameters. */
  static String url(Registration registration) {
    String scheme = registration.protocol() == null ? "dubbo" : registration.protocol();
    String query =
        registration.labels().entrySet().stream()
            .map(Map.Entry::toString)
            .collect(Collectors.joining("&"));
    return scheme
        + "://"
        + registration.address()
        + ":"
        + registration.port()
        + "/"
        + registration.service()
        + (query.isEmpty() ? "" : "?" + query);
  }
}
