package io.sextant.registry.consul;

import io.sextant.model.Protocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach Consul and how its services become mesh services.
 *
 * @param address the agent's HTTP API, {@code http://127.0.0.1:8500} or {@code https://...}
 * @param token the ACL token sent with every request ({@code X-Consul-Token}); empty for none
 * @param tls CA and client certificate for an {@code https} address; empty for the JVM defaults
 * @param datacenters the datacenters to read; empty for every datacenter the agent knows
 * @param includeWarning whether instances whose worst check is {@code warning} receive traffic
 *     ({@code passing} ones always do, {@code critical} ones never)
 * @param hostname the mesh hostname of a service: {@code {name}} and {@code {dc}} are replaced;
 *     empty for the default, {@code {name}.service.consul}, or {@code {name}.service.{dc}.consul}
 *     when more than one datacenter is read
 * @param namespace the namespace the services belong to in the mesh
 * @param defaultProtocol the protocol of a service whose meta has no {@code protocol} key
 * @param localityKeys the node meta keys that hold region, zone and subzone
 * @param blockingWait how long a blocking query may be held by Consul (its {@code wait})
 * @param staleAfter how long Consul may be unreachable before the registry is marked stale
 */
public record ConsulSettings(
    String address,
    Optional<String> token,
    Optional<Tls> tls,
    List<String> datacenters,
    boolean includeWarning,
    Optional<String> hostname,
    String namespace,
    Protocol defaultProtocol,
    LocalityKeys localityKeys,
    Duration blockingWait,
    Duration staleAfter) {

  public static final Duration DEFAULT_WAIT = Duration.ofMinutes(1);
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(10);

  public ConsulSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tls, "tls");
    datacenters = List.copyOf(datacenters);
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(defaultProtocol, "defaultProtocol");
    Objects.requireNonNull(localityKeys, "localityKeys");
    Objects.requireNonNull(blockingWait, "blockingWait");
    Objects.requireNonNull(staleAfter, "staleAfter");
  }

  /** Consul at {@code address}, every datacenter, passing instances only, the defaults. */
  public static ConsulSettings defaults(String address) {
    return new ConsulSettings(
        address,
        Optional.empty(),
        Optional.empty(),
        List.of(),
        false,
        Optional.empty(),
        "default",
        Protocol.TCP,
        LocalityKeys.DEFAULT,
        DEFAULT_WAIT,
        DEFAULT_STALE_AFTER);
  }

  /** PEM files for TLS to Consul. */
  public record Tls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {}

  /** Node meta keys read as the locality of a node's instances. */
  public record LocalityKeys(String region, String zone, String subzone) {
    public static final LocalityKeys DEFAULT = new LocalityKeys("region", "zone", "subzone");
  }
}
