package io.sextant.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyFleetTest {
  /** 7 services over 3 namespaces (ns-00: 0, 3, 6; ns-01: 1, 4; ns-02: 2, 5). */
  private static final MeshSpec MESH = new MeshSpec(7, 2, 3, 3, MeshSpec.COMMON_PORTS);

  @Test
  void namespaceScope_aChangeIsExpectedAtEveryProxyOfItsNamespaceAndNowhereElse() {
    ProxyFleet fleet = new ProxyFleet(MESH.withSidecarScope(SidecarScope.NAMESPACE), 16);

    for (int service = 0; service < MESH.services(); service++) {
      String namespace = MESH.namespace(service);
      int inNamespace = 0;
      for (int p = 0; p < fleet.size(); p++) {
        boolean there = namespaceOf(fleet, p).equals(namespace);
        inNamespace += there ? 1 : 0;
        assertThat(fleet.imports(p, service))
            .as("proxy %d imports service %d", p, service)
            .isEqualTo(there);
      }
      assertThat(fleet.importers(service))
          .as("proxies expected for service %d", service)
          .isEqualTo(inNamespace);
    }
    // Proxies 0..15 are workloads of services p % 7: ns-00 gets 0, 3, 6, 7, 10, 13, 14.
    assertThat(fleet.importers(0)).isEqualTo(7);
  }

  @Test
  void noScope_aChangeIsExpectedAtEveryProxy() {
    ProxyFleet fleet = new ProxyFleet(MESH, 16);

    assertThat(fleet.importers(4)).isEqualTo(16);
    assertThat(fleet.imports(0, 4)).isTrue();
    assertThat(fleet.importedAmong(7)).containsExactly(0, 1, 2, 3, 4, 5, 6);
  }

  @Test
  void namespaceScope_servicesOfNamespacesWithoutProxiesAreNotChurned() {
    ProxyFleet fleet = new ProxyFleet(MESH.withSidecarScope(SidecarScope.NAMESPACE), 2);

    assertThat(fleet.importers(2)).isZero();
    assertThat(fleet.importedAmong(7)).containsExactly(0, 1, 3, 4, 6);
  }

  private static String namespaceOf(ProxyFleet fleet, int proxy) {
    return fleet.node(proxy).getMetadata().getFieldsOrThrow("NAMESPACE").getStringValue();
  }
}
