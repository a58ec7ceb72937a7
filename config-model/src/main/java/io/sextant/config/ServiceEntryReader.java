package io.sextant.config;

import io.sextant.config.networking.Port;
import io.sextant.config.networking.ServiceEntry;
import io.sextant.config.networking.WorkloadEntry;
import io.sextant.config.yaml.YamlObject;
import io.sextant.model.Hostnames;
import io.sextant.model.Locality;
import io.sextant.model.Protocol;
import io.sextant.model.Resolution;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads and validates the spec of a ServiceEntry. */
final class ServiceEntryReader {
  static final List<String> UNSUPPORTED_PROTOCOLS =
      List.of("HTTPS", "TLS", "MONGO", "REDIS", "MYSQL", "GRPC-WEB", "UDP");

  private ServiceEntryReader() {}

  static ServiceEntry read(ResourceMeta meta, YamlObject spec) {
    List<String> hosts = spec.stringList("hosts");
    if (hosts.isEmpty()) {
      spec.error("hosts", "at least one host is required");
    }
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      if (Hostnames.isWildcard(host)) {
        spec.error(
            "hosts",
            "wildcard host '" + host + "' is not supported by Sextant yet in ServiceEntry");
      } else if (!Hostnames.isValid(host)) {
        spec.error("hosts", "hosts[" + i + "]: expected a DNS name, got '" + host + "'");
      }
    }
    List<String> addresses = spec.stringList("addresses");
    for (String address : addresses) {
      if (!Addresses.isIpOrCidr(address)) {
        spec.error("addresses", "expected an IP address or CIDR block, got '" + address + "'");
      }
    }
    List<Port> ports = spec.list("ports", ServiceEntryReader::readPort);
    if (ports.isEmpty() && !spec.has("ports")) {
      spec.error("ports", "at least one port is required");
    }
    checkUniquePorts(spec, ports);
    ServiceEntry.Location location =
        spec.enumValue("location", ServiceEntry.Location.class)
            .orElse(ServiceEntry.Location.MESH_EXTERNAL);
    Resolution resolution = readResolution(spec);
    List<WorkloadEntry> endpoints = spec.list("endpoints", e -> readEndpoint(e, resolution, ports));
    spec.unsupported("exportTo", "workloadSelector", "subjectAltNames");
    spec.finish();
    return new ServiceEntry(meta, hosts, addresses, ports, location, resolution, endpoints);
  }

  private static Resolution readResolution(YamlObject spec) {
    Optional<String> value = spec.string("resolution");
    if (value.isEmpty()) {
      spec.error(
          "resolution",
          "missing required field 'resolution': Sextant needs STATIC or DNS"
              + " (Istio's default, NONE, is not supported yet)");
      return Resolution.STATIC;
    }
    switch (value.get()) {
      case "STATIC":
        return Resolution.STATIC;
      case "DNS":
        return Resolution.DNS;
      case "NONE":
      case "DNS_ROUND_ROBIN":
        spec.error(
            "resolution",
            "resolution "
                + value.get()
                + " is valid in Istio but not supported by Sextant yet; use STATIC or DNS");
        return Resolution.STATIC;
      default:
        spec.error("resolution", "expected STATIC or DNS, got '" + value.get() + "'");
        return Resolution.STATIC;
    }
  }

  private static Port readPort(YamlObject p) {
    int number = p.requiredInteger("number", 1, 65535);
    String name = p.requiredString("name");
    Optional<String> protocolName = p.string("protocol");
    Protocol protocol = null;
    if (protocolName.isPresent()) {
      protocol = Protocol.parse(protocolName.get()).orElse(null);
      if (protocol == null) {
        String upper = protocolName.get().toUpperCase(java.util.Locale.ROOT);
        p.error(
            "protocol",
            UNSUPPORTED_PROTOCOLS.contains(upper)
                ? "protocol "
                    + upper
                    + " is valid in Istio but not supported by Sextant yet; use HTTP, HTTP2, GRPC or TCP"
                : "expected HTTP, HTTP2, GRPC or TCP, got '" + protocolName.get() + "'");
      }
    } else {
      protocol = Ports.protocolFromName(name).orElse(null);
      if (protocol == null && !name.isEmpty()) {
        p.error(
            "protocol",
            "missing 'protocol' and the name '"
                + name
                + "' does not imply one; set protocol to HTTP, HTTP2, GRPC or TCP"
                + " (or name the port http-*, http2-*, grpc-* or tcp-*)");
      }
    }
    int targetPort = p.integer("targetPort", 1, 65535).orElse(0);
    p.finish();
    if (protocol == null || number == 0 || name.isEmpty()) {
      return null;
    }
    return new Port(number, protocol, name, targetPort);
  }

  private static void checkUniquePorts(YamlObject spec, List<Port> ports) {
    Set<Integer> numbers = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (Port port : ports) {
      if (!numbers.add(port.number())) {
        spec.error("ports", "port number " + port.number() + " is listed twice");
      }
      if (!names.add(port.name())) {
        spec.error("ports", "port name '" + port.name() + "' is listed twice");
      }
    }
  }

  private static WorkloadEntry readEndpoint(YamlObject e, Resolution resolution, List<Port> ports) {
    String address = e.requiredString("address");
    if (!address.isEmpty()) {
      if (resolution == Resolution.STATIC && !Addresses.isIp(address)) {
        e.error("address", "expected an IP address for resolution STATIC, got '" + address + "'");
      } else if (resolution == Resolution.DNS
          && !Addresses.isIp(address)
          && !Hostnames.isValid(address)) {
        e.error("address", "expected a DNS name or IP address, got '" + address + "'");
      }
    }
    var endpointPorts = e.integerMap("ports", 1, 65535);
    for (String portName : endpointPorts.keySet()) {
      if (ports.stream().noneMatch(p -> p.name().equals(portName))) {
        e.error(
            "ports",
            "port name '"
                + portName
                + "' is not one of the ServiceEntry's ports ("
                + String.join(", ", ports.stream().map(Port::name).toList())
                + ")");
      }
    }
    var labels = e.stringMap("labels");
    String locality = e.string("locality", "");
    try {
      Locality.parse(locality);
    } catch (IllegalArgumentException ex) {
      e.error("locality", ex.getMessage());
    }
    int weight = e.integer("weight", 0, 1_000_000).orElse(0);
    e.unsupported("network", "serviceAccount");
    e.finish();
    return new WorkloadEntry(address, endpointPorts, labels, locality, weight, e.location());
  }
}
