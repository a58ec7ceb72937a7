package io.sextant.server.xds;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Hostnames;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.Resolution;
import io.sextant.model.Service;
import io.sextant.model.ServicePort;
import io.sextant.registry.xds.ProxyRegistry;
import io.sextant.translator.ProxyContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers connected proxies that declare their service into the {@code xds} registries. A proxy
 * declares it with node metadata {@code SERVICE_PORTS} ({@code "NAME:PORT[:TARGET],..."}, the port
 * name giving the protocol Istio's way), and optionally {@code SERVICE_HOST}; its address is the
 * first of {@code INSTANCE_IPS}, its labels {@code LABELS}, its locality the node's. It stays
 * registered while any of its streams is open.
 */
public final class ProxyRegistrar {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyRegistrar.class);

  private final List<ProxyRegistry> registries;
  private final String clusterDomain;
  private final Map<String, Set<Long>> streams = new HashMap<>();

  public ProxyRegistrar(List<ProxyRegistry> registries, String clusterDomain) {
    this.registries = List.copyOf(registries);
    this.clusterDomain = clusterDomain;
  }

  synchronized void connected(long streamId, Node node) {
    if (registries.isEmpty()) {
      return;
    }
    Optional<MeshService> service;
    try {
      service = declared(node, clusterDomain);
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "proxy {} declares a service Sextant cannot register: {}", node.getId(), e.getMessage());
      return;
    }
    if (service.isEmpty()) {
      return;
    }
    streams.computeIfAbsent(node.getId(), id -> new HashSet<>()).add(streamId);
    registries.forEach(r -> r.register(node.getId(), service.get()));
  }

  synchronized void closed(long streamId, String proxyId) {
    Set<Long> open = streams.get(proxyId);
    if (open == null || !open.remove(streamId) || !open.isEmpty()) {
      return;
    }
    streams.remove(proxyId);
    registries.forEach(r -> r.unregister(proxyId));
  }

  /** The service a proxy declares in its metadata; empty when it declares none. */
  static Optional<MeshService> declared(Node node, String clusterDomain) {
    Map<String, Value> meta = node.getMetadata().getFieldsMap();
    String portSpec = string(meta, "SERVICE_PORTS");
    if (portSpec.isBlank()) {
      return Optional.empty();
    }
    ProxyContext proxy = ProxyContext.fromNode(node);
    if (proxy.instanceIps().isEmpty()) {
      throw new IllegalArgumentException("SERVICE_PORTS is set but INSTANCE_IPS is empty");
    }
    String host = string(meta, "SERVICE_HOST");
    if (host.isBlank()) {
      if (proxy.serviceName().isBlank()) {
        throw new IllegalArgumentException(
            "neither SERVICE_HOST nor node.cluster names the service");
      }
      host = proxy.serviceName() + "." + proxy.namespace() + ".svc." + clusterDomain;
    }
    if (!Hostnames.isValid(host)) {
      throw new IllegalArgumentException("'" + host + "' is not a valid hostname");
    }
    List<ServicePort> ports = new ArrayList<>();
    for (String entry : portSpec.split(",")) {
      String[] parts = entry.trim().split(":");
      if (parts.length < 2 || parts.length > 3) {
        throw new IllegalArgumentException(
            "SERVICE_PORTS entry '" + entry + "' is not NAME:PORT or NAME:PORT:TARGET");
      }
      try {
        int number = Integer.parseInt(parts[1]);
        int target = parts.length == 3 ? Integer.parseInt(parts[2]) : number;
        ports.add(new ServicePort(parts[0], number, protocol(parts[0]), target));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("SERVICE_PORTS entry '" + entry + "' has a bad number");
      }
    }
    var l = node.getLocality();
    Locality locality = new Locality(l.getRegion(), l.getZone(), l.getSubZone());
    String address = proxy.instanceIps().get(0);
    List<Endpoint> endpoints = new ArrayList<>();
    for (ServicePort p : ports) {
      endpoints.add(
          new Endpoint(
              address,
              p.targetPort(),
              p.number(),
              proxy.labels(),
              locality,
              HealthStatus.HEALTHY,
              1,
              "xds"));
    }
    return Optional.of(
        new MeshService(
            new Service(host, proxy.namespace(), ports, Map.of(), Resolution.STATIC, List.of()),
            endpoints));
  }

  private static Protocol protocol(String portName) {
    String name = portName.toLowerCase(Locale.ROOT);
    int dash = name.indexOf('-');
    return switch (dash < 0 ? name : name.substring(0, dash)) {
      case "http" -> Protocol.HTTP;
      case "http2" -> Protocol.HTTP2;
      case "grpc" -> Protocol.GRPC;
      default -> Protocol.TCP;
    };
  }

  private static String string(Map<String, Value> meta, String key) {
    Value v = meta.get(key);
    return v != null && v.hasStringValue() ? v.getStringValue() : "";
  }
}
