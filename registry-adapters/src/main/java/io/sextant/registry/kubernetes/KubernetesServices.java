package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.Resolution;
import io.sextant.model.Service;
import io.sextant.model.ServicePort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Converts a Kubernetes Service and its EndpointSlices into a model service. Pure: what it needs of
 * Pods and Nodes comes in as lookups.
 */
final class KubernetesServices {
  /** The labels Kubernetes puts on a Node to say where it runs. */
  static final String REGION_LABEL = "topology.kubernetes.io/region";

  static final String ZONE_LABEL = "topology.kubernetes.io/zone";

  /** Istio's label for the part of a zone a Node runs in. */
  static final String SUBZONE_LABEL = "topology.istio.io/subzone";

  private KubernetesServices() {}

  /** What a converted endpoint needs to know about the Pod behind it. */
  record PodFacts(Map<String, String> labels, String nodeName) {
    static final PodFacts NONE = new PodFacts(Map.of(), "");
  }

  /**
   * Lookups into the other watched objects.
   *
   * @param podByName a Pod in the slice's namespace by name (from an endpoint's targetRef)
   * @param podByIp a Pod in the slice's namespace by IP, for endpoints without a targetRef
   * @param nodeLocality a Node's locality by node name; {@link Locality#UNKNOWN} if unknown
   */
  record Lookups(
      Function<String, Optional<PodFacts>> podByName,
      Function<String, Optional<PodFacts>> podByIp,
      Function<String, Locality> nodeLocality) {}

  /** {@code NAME.NAMESPACE.svc.CLUSTER_DOMAIN}. */
  static String hostname(String name, String namespace, String clusterDomain) {
    return name + "." + namespace + ".svc." + clusterDomain;
  }

  /**
   * The model service, or empty when Kubernetes' Service cannot be served: a Service with no TCP
   * port (UDP and SCTP are not proxied), or an ExternalName without ports.
   */
  static Optional<MeshService> convert(
      io.fabric8.kubernetes.api.model.Service k8s,
      List<EndpointSlice> slices,
      Lookups lookups,
      String clusterDomain,
      String origin) {
    String namespace = k8s.getMetadata().getNamespace();
    String host = hostname(k8s.getMetadata().getName(), namespace, clusterDomain);
    var spec = k8s.getSpec();
    List<ServicePort> ports = new ArrayList<>();
    Map<String, String> targetPortNames = new java.util.HashMap<>();
    if (spec.getPorts() != null) {
      for (var p : spec.getPorts()) {
        String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
        if (!proto.equals("TCP") || p.getPort() == null) {
          continue;
        }
        String name = p.getName() == null ? "" : p.getName();
        IntOrString target = p.getTargetPort();
        int targetPort = p.getPort();
        if (target != null && target.getIntVal() != null && target.getIntVal() > 0) {
          targetPort = target.getIntVal();
        } else if (target != null && target.getStrVal() != null) {
          targetPortNames.put(name, target.getStrVal());
        }
        ports.add(
            new ServicePort(
                name, p.getPort(), protocol(p.getAppProtocol(), p.getName()), targetPort));
      }
    }
    if (ports.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> labels =
        k8s.getMetadata().getLabels() == null ? Map.of() : k8s.getMetadata().getLabels();
    if ("ExternalName".equals(spec.getType())) {
      String external = Objects.requireNonNullElse(spec.getExternalName(), "");
      if (external.isBlank()) {
        return Optional.empty();
      }
      List<Endpoint> endpoints = new ArrayList<>();
      for (ServicePort port : ports) {
        endpoints.add(
            new Endpoint(
                external,
                port.number(),
                port.number(),
                Map.of(),
                Locality.UNKNOWN,
                HealthStatus.HEALTHY,
                1,
                origin));
      }
      return Optional.of(
          new MeshService(
              new Service(host, namespace, ports, labels, Resolution.DNS, List.of()), endpoints));
    }
    List<String> addresses = new ArrayList<>();
    List<String> clusterIps =
        spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()
            ? spec.getClusterIPs()
            : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
    for (String ip : clusterIps) {
      if (ip != null && !ip.isBlank() && !ip.equals("None")) {
        addresses.add(ip);
      }
    }
    Service service = new Service(host, namespace, ports, labels, Resolution.STATIC, addresses);
    return Optional.of(new MeshService(service, endpoints(service, slices, lookups, origin)));
  }

  private static List<Endpoint> endpoints(
      Service service, List<EndpointSlice> slices, Lookups lookups, String origin) {
    List<Endpoint> endpoints = new ArrayList<>();
    // During a slice split or merge one address can briefly be in two slices.
    Set<String> seen = new HashSet<>();
    for (EndpointSlice slice : slices) {
      String addressType = slice.getAddressType();
      if (addressType != null && !addressType.startsWith("IPv")) {
        continue; // FQDN slices are deprecated and not produced by Kubernetes itself
      }
      if (slice.getEndpoints() == null || slice.getPorts() == null) {
        continue;
      }
      for (EndpointPort slicePort : slice.getPorts()) {
        if (slicePort.getPort() == null
            || (slicePort.getProtocol() != null && !slicePort.getProtocol().equals("TCP"))) {
          continue;
        }
        String portName = slicePort.getName() == null ? "" : slicePort.getName();
        Optional<ServicePort> servicePort =
            service.ports().stream().filter(p -> p.name().equals(portName)).findFirst();
        if (servicePort.isEmpty()) {
          continue;
        }
        for (var e : slice.getEndpoints()) {
          if (e.getAddresses() == null) {
            continue;
          }
          HealthStatus health = health(e.getConditions());
          for (String address : e.getAddresses()) {
            if (!seen.add(address + ":" + slicePort.getPort() + ":" + servicePort.get().number())) {
              continue;
            }
            PodFacts pod = pod(e.getTargetRef(), address, lookups);
            String nodeName = e.getNodeName() != null ? e.getNodeName() : pod.nodeName();
            Locality locality =
                nodeName.isEmpty() ? Locality.UNKNOWN : lookups.nodeLocality().apply(nodeName);
            if (locality.zone().isEmpty() && e.getZone() != null) {
              locality = new Locality(locality.region(), e.getZone(), locality.subzone());
            }
            endpoints.add(
                new Endpoint(
                    address,
                    slicePort.getPort(),
                    servicePort.get().number(),
                    pod.labels(),
                    locality,
                    health,
                    1,
                    origin));
          }
        }
      }
    }
    return endpoints;
  }

  private static PodFacts pod(ObjectReference ref, String address, Lookups lookups) {
    Optional<PodFacts> pod = Optional.empty();
    if (ref != null && "Pod".equals(ref.getKind()) && ref.getName() != null) {
      pod = lookups.podByName().apply(ref.getName());
    }
    if (pod.isEmpty()) {
      pod = lookups.podByIp().apply(address);
    }
    return pod.orElse(PodFacts.NONE);
  }

  /**
   * Ready endpoints take traffic. Terminating ones drain: Envoy finishes the requests already on
   * them but sends no new ones. Anything else (not ready, not terminating) is unhealthy. An absent
   * {@code ready} means ready, as the EndpointSlice API defines it.
   */
  static HealthStatus health(EndpointConditions conditions) {
    if (conditions == null) {
      return HealthStatus.HEALTHY;
    }
    if (Boolean.TRUE.equals(conditions.getTerminating())) {
      return HealthStatus.DRAINING;
    }
    return Boolean.FALSE.equals(conditions.getReady())
        ? HealthStatus.UNHEALTHY
        : HealthStatus.HEALTHY;
  }

  /**
   * The port's protocol: from {@code appProtocol} when set, otherwise from an Istio-style port name
   * ({@code http}, {@code http-*}, {@code http2-*}, {@code grpc-*}, {@code tcp-*}); anything else
   * is TCP.
   */
  static Protocol protocol(String appProtocol, String portName) {
    if (appProtocol != null && !appProtocol.isBlank()) {
      return byName(appProtocol.toLowerCase(Locale.ROOT));
    }
    if (portName == null) {
      return Protocol.TCP;
    }
    String name = portName.toLowerCase(Locale.ROOT);
    int dash = name.indexOf('-');
    return byName(dash < 0 ? name : name.substring(0, dash));
  }

  private static Protocol byName(String name) {
    return switch (name) {
      case "http" -> Protocol.HTTP;
      case "http2", "h2c", "kubernetes.io/h2c" -> Protocol.HTTP2;
      case "grpc" -> Protocol.GRPC;
      default -> Protocol.TCP;
    };
  }

  /** A Node's locality from its topology labels. */
  static Locality locality(Map<String, String> nodeLabels) {
    if (nodeLabels == null) {
      return Locality.UNKNOWN;
    }
    return new Locality(
        nodeLabels.getOrDefault(REGION_LABEL, ""),
        nodeLabels.getOrDefault(ZONE_LABEL, ""),
        nodeLabels.getOrDefault(SUBZONE_LABEL, ""));
  }
}
