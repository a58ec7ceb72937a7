package io.sextant.bench.mesh;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated sidecars of a generated mesh and which changes concern each. Proxies are spread
 * round-robin over the services, so each belongs to a service and lives in its namespace; with
 * {@link SidecarScope#NAMESPACE} a proxy imports only its namespace's services, and a change to a
 * service (its endpoints, its VirtualService, which lives in the same namespace) reaches only the
 * proxies of that namespace.
 */
public final class ProxyFleet {
  private final MeshSpec spec;
  private final int proxies;
  private final int[] proxiesPerNamespace;

  public ProxyFleet(MeshSpec spec, int proxies) {
    this.spec = spec;
    this.proxies = proxies;
    this.proxiesPerNamespace = new int[spec.namespaces()];
    for (int p = 0; p < proxies; p++) {
      proxiesPerNamespace[spec.namespaceIndex(service(p))]++;
    }
  }

  public int size() {
    return proxies;
  }

  /** The service proxy {@code proxy} is a workload of. */
  public int service(int proxy) {
    return proxy % spec.services();
  }

  /** The Envoy node proxy {@code proxy} presents. */
  public Node node(int proxy) {
    return ProxyNodes.sidecar(proxy, spec, service(proxy));
  }

  /** Whether proxy {@code proxy} imports {@code service}, and so must get its changes. */
  public boolean imports(int proxy, int service) {
    return spec.sidecarScope() == SidecarScope.NONE
        || spec.namespaceIndex(service(proxy)) == spec.namespaceIndex(service);
  }

  /** How many proxies import {@code service}: a change to it converges when all have ACKed it. */
  public int importers(int service) {
    return spec.sidecarScope() == SidecarScope.NONE
        ? proxies
        : proxiesPerNamespace[spec.namespaceIndex(service)];
  }

  /**
   * Services {@code 0 .. count-1} that some proxy imports: a change to any other would reach no one
   * and measure nothing. Without scoping, all of them, in order.
   */
  public List<Integer> importedAmong(int count) {
    List<Integer> imported = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      if (importers(s) > 0) {
        imported.add(s);
      }
    }
    return imported;
  }
}
