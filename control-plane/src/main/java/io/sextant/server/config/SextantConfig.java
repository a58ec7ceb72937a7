package io.sextant.server.config;

import io.sextant.model.MeshSettings;
import io.sextant.registry.AliasedRegistry;
import io.sextant.registry.consul.ConsulSettings;
import io.sextant.registry.kubernetes.KubernetesSettings;
import io.sextant.registry.zookeeper.ZooKeeperSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The control plane's own configuration, read from {@code sextant.yaml}. Every key is documented in
 * {@code docs/configuration.md}.
 */
public record SextantConfig(
    Listen xds,
    Listen admin,
    MeshSettings mesh,
    List<Source> registries,
    List<Source> rules,
    Push push) {

  public static final int DEFAULT_XDS_PORT = 15010;
  public static final int DEFAULT_ADMIN_PORT = 15014;

  public SextantConfig {
    Objects.requireNonNull(xds, "xds");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(mesh, "mesh");
    registries = List.copyOf(registries);
    rules = List.copyOf(rules);
    Objects.requireNonNull(push, "push");
  }

  /**
   * A server socket: bind address and port; port 0 picks a free port. For the xDS port, also which
   * implementation of gRPC's HTTP/2 transport serves ADS on it.
   */
  public record Listen(String address, int port, XdsTransport transport) {
    public Listen(String address, int port) {
      this(address, port, XdsTransport.BUILTIN);
    }

    public Listen {
      Objects.requireNonNull(transport, "transport");
    }

    public Listen withPort(int newPort) {
      return new Listen(address, newPort, transport);
    }
  }

  /**
   * How ADS is served on the wire: both speak gRPC over HTTP/2 to Envoy and to gRPC's xDS clients.
   */
  public enum XdsTransport {
    /** Sextant's own HTTP/2 and gRPC framing for ADS, on Netty's channels (the default). */
    BUILTIN("builtin"),
    /** grpc-java's Netty server. */
    GRPC_JAVA("grpc-java");

    private final String configName;

    XdsTransport(String configName) {
      this.configName = configName;
    }

    /** As written in {@code sextant.yaml}. */
    public String configName() {
      return configName;
    }

    /** The transport written {@code name}, if there is one. */
    public static Optional<XdsTransport> named(String name) {
      for (XdsTransport t : values()) {
        if (t.configName.equals(name)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * A registry or rule source.
   *
   * @param name unique name; the origin recorded on endpoints
   * @param type {@code file}, {@code kubernetes}, {@code consul}, {@code zookeeper} or {@code xds}
   * @param paths files or directories, resolved against the config file's directory ({@code file})
   * @param rescanInterval how often files are re-read in case a change notification was missed
   * @param kubernetes the API server and what to watch there ({@code kubernetes})
   * @param consul the Consul agent and the mapping of its services ({@code consul})
   * @param zookeeper the ZooKeeper ensemble and its layout ({@code zookeeper})
   * @param xdsGracePeriod how long a proxy-registered endpoint outlives its stream ({@code xds})
   * @param priority failover priority of a registry's endpoints, 0 the highest
   * @param aliases the registry's services served as other mesh hosts
   */
  public record Source(
      String name,
      String type,
      List<Path> paths,
      Duration rescanInterval,
      Optional<KubernetesSettings> kubernetes,
      Optional<ConsulSettings> consul,
      Optional<ZooKeeperSettings> zookeeper,
      Optional<Duration> xdsGracePeriod,
      int priority,
      List<AliasedRegistry.Alias> aliases) {
    public Source {
      paths = List.copyOf(paths);
      Objects.requireNonNull(kubernetes, "kubernetes");
      Objects.requireNonNull(consul, "consul");
      Objects.requireNonNull(zookeeper, "zookeeper");
      Objects.requireNonNull(xdsGracePeriod, "xdsGracePeriod");
      aliases = List.copyOf(aliases);
    }

    /** A {@code file} source. */
    public Source(String name, String type, List<Path> paths, Duration rescanInterval) {
      this(
          name,
          type,
          paths,
          rescanInterval,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          0,
          List.of());
    }

    /** A {@code kubernetes} source. */
    public static Source kubernetes(String name, KubernetesSettings settings) {
      return new Source(name, "kubernetes", List.of(), Duration.ZERO)
          .with(Optional.of(settings), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** This source with other backend settings. */
    public Source with(
        Optional<KubernetesSettings> k8s,
        Optional<ConsulSettings> consulSettings,
        Optional<ZooKeeperSettings> zk,
        Optional<Duration> grace) {
      return new Source(
          name, type, paths, rescanInterval, k8s, consulSettings, zk, grace, priority, aliases);
    }

    /** This source with a failover priority and aliases. */
    public Source withAggregation(int newPriority, List<AliasedRegistry.Alias> newAliases) {
      return new Source(
          name,
          type,
          paths,
          rescanInterval,
          kubernetes,
          consul,
          zookeeper,
          xdsGracePeriod,
          newPriority,
          newAliases);
    }
  }

  /**
   * Push tuning: after a change, wait until nothing else has changed for {@code quietPeriod} (for
   * {@code endpointQuietPeriod} when only endpoints changed), but never longer than {@code
   * maxDelay} after the first change; keep at most {@code maxInFlightBytes} of responses waiting
   * for ACKs at once.
   */
  public record Push(
      Duration quietPeriod,
      Duration maxDelay,
      long maxInFlightBytes,
      Duration endpointQuietPeriod) {
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 64L * 1024 * 1024;

    /** One quiet period for every kind of change, and the default send budget. */
    public Push(Duration quietPeriod, Duration maxDelay) {
      this(quietPeriod, maxDelay, DEFAULT_MAX_IN_FLIGHT_BYTES, quietPeriod);
    }
  }

  /** {@code mesh.clusterDomain}. */
  public String clusterDomain() {
    return mesh.clusterDomain();
  }

  public SextantConfig withXdsPort(int port) {
    return new SextantConfig(xds.withPort(port), admin, mesh, registries, rules, push);
  }

  public SextantConfig withAdminPort(int port) {
    return new SextantConfig(xds, admin.withPort(port), mesh, registries, rules, push);
  }
}
