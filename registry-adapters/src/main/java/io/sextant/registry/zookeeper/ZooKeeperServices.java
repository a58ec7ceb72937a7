package io.sextant.registry.zookeeper;

import io.sextant.model.HealthStatus;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.registry.SinglePortServices;
import java.util.List;
import java.util.Locale;

/**
 * Turns the instances registered under one hostname into a mesh service, by the rule the Consul and
 * ZooKeeper registries share: one service port, numbered after the smallest port among the
 * instances and named after its protocol, while each endpoint keeps its instance's own port.
 */
final class ZooKeeperServices {
  static final String NAME_PLACEHOLDER = "{name}";

  private ZooKeeperServices() {}

  /** The hostname template with {@code {name}} replaced by the service name in lower case. */
  static String hostname(String template, String serviceName) {
    return template.replace(NAME_PLACEHOLDER, serviceName.toLowerCase(Locale.ROOT));
  }

  /**
   * The service whose endpoints are {@code instances}; there is at least one.
   *
   * @param origin the registry's name, recorded on each endpoint
   */
  static MeshService meshService(
      String hostname, String namespace, List<Instance> instances, String origin) {
    return SinglePortServices.meshService(
        hostname,
        namespace,
        protocol(instances),
        instances.stream()
            .map(
                i ->
                    new SinglePortServices.Instance(
                        i.address(), i.port(), i.labels(), i.locality(), HealthStatus.HEALTHY))
            .toList(),
        origin);
  }

  /**
   * The instances' protocol when they agree. When they do not (a Dubbo provider exporting both
   * {@code dubbo} and {@code tri}), TCP: it carries any of them, where an HTTP or gRPC port would
   * break the instances that speak something else.
   */
  static Protocol protocol(List<Instance> instances) {
    Protocol first = instances.get(0).protocol();
    return instances.stream().allMatch(i -> i.protocol() == first) ? first : Protocol.TCP;
  }

  /** True when the instances speak different protocols, so the service is carried as TCP. */
  static boolean mixedProtocols(List<Instance> instances) {
    return instances.stream().map(Instance::protocol).distinct().count() > 1;
  }
}
