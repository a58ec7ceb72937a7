package io.sextant.registry.consul;

import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;
import io.sextant.model.HealthStatus;
import io.sextant.model.Hostnames;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.registry.SinglePortServices;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How Consul's health entries become mesh services: hostnames, endpoint labels, health, locality
 * and the one service port. Pure functions, no I/O.
 */
final class ConsulServices {
  static final String DATACENTER_LABEL = "consul.datacenter";
  static final String PROTOCOL_META = "protocol";
  static final String SINGLE_DC_HOSTNAME = "{name}.service.consul";
  static final String MULTI_DC_HOSTNAME = "{name}.service.{dc}.consul";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final String NODE_MAINTENANCE = "_node_maintenance";
  private static final String SERVICE_MAINTENANCE = "_service_maintenance";

  private ConsulServices() {}

  /**
   * One Consul service instance, converted at the edge.
   *
   * @param protocol the instance's {@code protocol} service meta, when it has one
   */
  record Instance(
      String datacenter,
      String node,
      String id,
      String address,
      int port,
      Map<String, String> labels,
      Locality locality,
      HealthStatus health,
      Optional<String> protocol) {
    static final Comparator<Instance> ORDER =
        Comparator.comparing(Instance::datacenter)
            .thenComparing(Instance::node)
            .thenComparing(Instance::id);

    Instance {
      labels = Map.copyOf(labels);
    }
  }

  /** The hostname template in effect: the configured one, or the default for the DC count. */
  static String template(Optional<String> configured, int datacenters) {
    return configured.orElse(datacenters > 1 ? MULTI_DC_HOSTNAME : SINGLE_DC_HOSTNAME);
  }

  /** True for a service name that, in lower case, is a DNS label. */
  static boolean isDnsLabel(String serviceName) {
    return DNS_LABEL.matcher(serviceName.toLowerCase(Locale.ROOT)).matches();
  }

  /**
   * The mesh hostname of a Consul service: the template with {@code {name}} (the service name in
   * lower case) and {@code {dc}} replaced; empty when the result is not a valid hostname.
   */
  static Optional<String> hostname(String template, String serviceName, String datacenter) {
    if (!isDnsLabel(serviceName)) {
      return Optional.empty();
    }
    String hostname =
        template
            .replace("{name}", serviceName.toLowerCase(Locale.ROOT))
            .replace("{dc}", datacenter.toLowerCase(Locale.ROOT));
    return Hostnames.isValid(hostname) ? Optional.of(hostname) : Optional.empty();
  }

  /**
   * Converts one health entry.
   *
   * @throws IllegalArgumentException when the entry cannot be an endpoint: no port, or no address
   */
  static Instance instance(
      HealthService entry,
      String datacenter,
      boolean includeWarning,
      ConsulSettings.LocalityKeys localityKeys) {
    HealthService.Service service = entry.getService();
    HealthService.Node node = entry.getNode();
    if (service == null || node == null) {
      throw new IllegalArgumentException("entry without Service or Node");
    }
    String id = orEmpty(service.getId());
    Integer port = service.getPort();
    if (port == null || port < 1 || port > 65535) {
      throw new IllegalArgumentException("instance " + id + " has no usable port: " + port);
    }
    String address = orEmpty(service.getAddress());
    if (address.isBlank()) {
      address = orEmpty(node.getAddress());
    }
    if (address.isBlank()) {
      throw new IllegalArgumentException("instance " + id + " has no address, nor has its node");
    }
    Map<String, String> meta = service.getMeta() == null ? Map.of() : service.getMeta();
    Map<String, String> nodeMeta = node.getMeta() == null ? Map.of() : node.getMeta();
    return new Instance(
        datacenter,
        orEmpty(node.getNode()),
        id,
        address,
        port,
        labels(service.getTags(), meta, datacenter),
        new Locality(
            nodeMeta.get(localityKeys.region()),
            nodeMeta.get(localityKeys.zone()),
            nodeMeta.get(localityKeys.subzone())),
        health(entry.getChecks(), includeWarning),
        Optional.ofNullable(meta.get(PROTOCOL_META)));
  }

  /**
   * Endpoint labels: tags first ({@code key=value} as {@code key: value}, a bare tag {@code x} as
   * {@code x: ""}), then service meta, which wins, then the datacenter.
   */
  static Map<String, String> labels(List<String> tags, Map<String, String> meta, String dc) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (tags != null) {
      for (String tag : tags) {
        if (tag == null || tag.isEmpty()) {
          continue;
        }
        int eq = tag.indexOf('=');
        if (eq < 0) {
          labels.put(tag, "");
        } else if (eq > 0) {
          labels.put(tag.substring(0, eq), tag.substring(eq + 1));
        }
      }
    }
    meta.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            labels.put(k, v);
          }
        });
    labels.put(DATACENTER_LABEL, dc);
    return labels;
  }

  /**
   * The worst of the node's and the service's checks. Maintenance (Consul's {@code
   * _service_maintenance:ID} and {@code _node_maintenance} checks) drains; a status Consul does not
   * document counts as critical; no checks at all is passing, as in Consul.
   */
  static HealthStatus health(List<Check> checks, boolean includeWarning) {
    if (checks == null) {
      return HealthStatus.HEALTHY;
    }
    int worst = 0; // 0 passing, 1 warning, 2 critical
    for (Check check : checks) {
      String id = orEmpty(check.getCheckId());
      if (id.equals(NODE_MAINTENANCE) || id.startsWith(SERVICE_MAINTENANCE)) {
        return HealthStatus.DRAINING;
      }
      Check.CheckStatus status = check.getStatus();
      int severity =
          status == Check.CheckStatus.PASSING ? 0 : status == Check.CheckStatus.WARNING ? 1 : 2;
      worst = Math.max(worst, severity);
    }
    return switch (worst) {
      case 0 -> HealthStatus.HEALTHY;
      case 1 -> includeWarning ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY;
      default -> HealthStatus.UNHEALTHY;
    };
  }

  /** The first instance in {@link Instance#ORDER}, whose protocol meta decides the service's. */
  static Optional<Instance> first(List<Instance> instances) {
    return instances.stream().min(Instance.ORDER);
  }

  /** The service's protocol: the first instance's {@code protocol} meta, else the default. */
  static Protocol protocol(List<Instance> instances, Protocol defaultProtocol) {
    return first(instances)
        .flatMap(Instance::protocol)
        .flatMap(Protocol::parse)
        .orElse(defaultProtocol);
  }

  /**
   * The mesh service of {@code hostname} made of {@code instances} (from one or more Consul
   * services and datacenters): one port, the smallest instance port, named after the protocol;
   * every endpoint keeps its own port. Empty when there are no instances.
   */
  static Optional<MeshService> meshService(
      String hostname,
      List<Instance> instances,
      String namespace,
      Protocol defaultProtocol,
      String origin) {
    if (instances.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        SinglePortServices.meshService(
            hostname,
            namespace,
            protocol(instances, defaultProtocol),
            instances.stream()
                .map(
                    i ->
                        new SinglePortServices.Instance(
                            i.address(), i.port(), i.labels(), i.locality(), i.health()))
                .toList(),
            origin));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
