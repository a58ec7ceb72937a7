package io.sextant.bench.mesh;

import java.util.List;
import java.util.Objects;

/**
 * The shape of a generated mesh.
 *
 * @param services how many services
 * @param endpointsPerService endpoints of each service (half labelled v1, half v2)
 * @param virtualServices how many services get a DestinationRule (subsets v1, v2) and a
 *     VirtualService splitting 90/10 between them
 * @param namespaces services are spread round-robin over {@code ns-00 ... ns-NN}
 * @param ports the HTTP service ports, assigned round-robin; fewer ports means larger route
 *     configurations (every service on one port puts them all in one)
 * @param sidecarScope whether each namespace gets a Sidecar limiting its proxies to its services
 */
public record MeshSpec(
    int services,
    int endpointsPerService,
    int virtualServices,
    int namespaces,
    List<Integer> ports,
    SidecarScope sidecarScope) {

  /** Twenty ports commonly seen on Kubernetes services. */
  public static final List<Integer> COMMON_PORTS =
      List.of(
          80, 8080, 9080, 8000, 3000, 5000, 8081, 9090, 8443, 7070, 8888, 9000, 6000, 4000, 8001,
          8082, 9091, 5001, 3001, 7000);

  public MeshSpec {
    ports = List.copyOf(ports);
    Objects.requireNonNull(sidecarScope, "sidecarScope");
    if (services < 1 || endpointsPerService < 1 || namespaces < 1 || ports.isEmpty()) {
      throw new IllegalArgumentException("a mesh needs services, endpoints, namespaces and ports");
    }
    if (virtualServices > services) {
      throw new IllegalArgumentException("more VirtualServices than services");
    }
  }

  /** A mesh without Sidecars: every proxy sees every service. */
  public MeshSpec(
      int services,
      int endpointsPerService,
      int virtualServices,
      int namespaces,
      List<Integer> ports) {
    this(services, endpointsPerService, virtualServices, namespaces, ports, SidecarScope.NONE);
  }

  public static MeshSpec of(int services, int endpoints, int virtualServices) {
    return new MeshSpec(services, endpoints, virtualServices, 10, COMMON_PORTS);
  }

  public MeshSpec withSidecarScope(SidecarScope scope) {
    return new MeshSpec(services, endpointsPerService, virtualServices, namespaces, ports, scope);
  }

  /** The number of {@code service}'s namespace: services are spread round-robin. */
  public int namespaceIndex(int service) {
    return service % namespaces;
  }

  public String name(int service) {
    return String.format("svc-%05d", service);
  }

  public String namespace(int service) {
    return namespaceName(namespaceIndex(service));
  }

  /** Namespace number {@code index}: {@code ns-00}, {@code ns-01}... */
  public static String namespaceName(int index) {
    return String.format("ns-%02d", index);
  }

  public String host(int service) {
    return name(service) + "." + namespace(service) + ".svc.cluster.local";
  }

  public int port(int service) {
    return ports.get(service % ports.size());
  }

  /** The EDS cluster of a service's port, as Sextant names it. */
  public String cluster(int service) {
    return "outbound|" + port(service) + "||" + host(service);
  }

  /** The route configuration that holds a service's virtual host. */
  public String routeConfig(int service) {
    return Integer.toString(port(service));
  }

  /** A unique, stable address for each endpoint of each service: 10.x.y.z. */
  public String address(int service, int endpoint) {
    int n = service * endpointsPerService + endpoint + 1;
    return "10." + ((n >> 16) & 0xff) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }
}
