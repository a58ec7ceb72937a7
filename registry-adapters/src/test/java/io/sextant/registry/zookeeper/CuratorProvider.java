package io.sextant.registry.zookeeper;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.CreateMode;

/**
 * Registers with Curator x-discovery itself, so the nodes hold exactly what Curator services write.
 * Its {@code ServiceDiscovery} re-registers every instance on reconnect (deleting and re-creating
 * the node when it still exists).
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class CuratorProvider extends Provider {
  static final String ROOT = "/services";

  private final ServiceDiscovery<Map> discovery;

  CuratorProvider(String connectString, Duration sessionTimeout) throws Exception {
    super(connectString, sessionTimeout);
    discovery = ServiceDiscoveryBuilder.builder(Map.class).client(client).basePath(ROOT).build();
    discovery.start();
  }

  @Override
  void register(Registration registration) throws Exception {
    discovery.registerService(instance(registration, ServiceType.DYNAMIC));
  }

  @Override
  void unregister(Registration registration) throws Exception {
    discovery.unregisterService(instance(registration, ServiceType.DYNAMIC));
  }

  /** ServiceDiscovery deletes the nodes it registered. */
  @Override
  void unregisterAll() throws Exception {
    discovery.close();
  }

  /**
   * Writes a {@code STATIC} instance as a persistent node, the JSON made by Curator's own
   * serializer, as a deployment tool does: no session owns it and no one re-registers it.
   */
  static String writeStatic(CuratorFramework admin, Registration registration) throws Exception {
    ServiceInstance<Map> instance = instance(registration, ServiceType.STATIC);
    String path = nodePath(registration);
    admin
        .create()
        .creatingParentsIfNeeded()
        .withMode(CreateMode.PERSISTENT)
        .forPath(path, new JsonInstanceSerializer<>(Map.class).serialize(instance));
    return path;
  }

  @Override
  String path(Registration registration) {
    return nodePath(registration);
  }

  static String nodePath(Registration registration) {
    return ROOT + "/" + registration.service() + "/" + registration.id();
  }

  private static ServiceInstance<Map> instance(Registration registration, ServiceType type)
      throws Exception {
    Map<String, Object> payload = new LinkedHashMap<>(registration.labels());
    if (registration.protocol() != null) {
      payload.put("protocol", registration.protocol());
    }
    return ServiceInstance.<Map>builder()
        .name(registration.service())
        .id(registration.id())
        .address(registration.address())
        .port(registration.port())
        .payload(payload)
        .serviceType(type)
        .build();
  }
}
