package io.sextant.registry.zookeeper;

import io.sextant.model.Protocol;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach ZooKeeper, which layout its services are registered in, and how they become mesh
 * services.
 *
 * @param connectString ZooKeeper's {@code host:port[,host:port...]}
 * @param layout how services are laid out in the tree
 * @param basePath the root of the layout: {@code /services} for Curator, {@code /dubbo} for Dubbo
 *     when empty
 * @param hostname the mesh hostname of a service, with {@code {name}} replaced by the service name
 *     (Curator) or the interface name in lower case (Dubbo); empty for {@code {name}}
 * @param namespace the namespace the services belong to in the mesh
 * @param defaultProtocol the protocol of a service whose instances do not say
 * @param sessionTimeout the ZooKeeper session timeout
 * @param staleAfter how long the connection may be lost before the registry is marked stale
 */
public record ZooKeeperSettings(
    String connectString,
    Layout layout,
    Optional<String> basePath,
    Optional<String> hostname,
    String namespace,
    Protocol defaultProtocol,
    Duration sessionTimeout,
    Duration staleAfter) {

  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(10);

  /** How services are registered. */
  public enum Layout {
    /** Curator x-discovery: {@code /BASE/NAME/ID}, each a JSON {@code ServiceInstance}. */
    CURATOR,
    /** Apache Dubbo: {@code /BASE/INTERFACE/providers/URL-ENCODED-dubbo://host:port/...}. */
    DUBBO
  }

  public ZooKeeperSettings {
    Objects.requireNonNull(connectString, "connectString");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(basePath, "basePath");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(defaultProtocol, "defaultProtocol");
    Objects.requireNonNull(sessionTimeout, "sessionTimeout");
    Objects.requireNonNull(staleAfter, "staleAfter");
  }

  public static ZooKeeperSettings defaults(String connectString, Layout layout) {
    return new ZooKeeperSettings(
        connectString,
        layout,
        Optional.empty(),
        Optional.empty(),
        "default",
        Protocol.TCP,
        DEFAULT_SESSION_TIMEOUT,
        DEFAULT_STALE_AFTER);
  }

  /** The base path in effect. */
  public String root() {
    return basePath.orElse(layout == Layout.CURATOR ? "/services" : "/dubbo");
  }
}
