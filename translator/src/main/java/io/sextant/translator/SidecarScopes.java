package io.sextant.translator;

import io.sextant.config.networking.Sidecar;
import io.sextant.model.MeshSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which {@code Sidecar} applies to each sidecar proxy, with Istio's precedence: one in the proxy's
 * namespace whose workload selector matches its labels, else the namespace's Sidecar without a
 * selector, else the root namespace's Sidecar without a selector (the mesh-wide default). Where
 * several qualify at one level, the first by name wins and the others are reported (Istio picks the
 * oldest). A root-namespace Sidecar with a selector applies only to workloads of the root
 * namespace.
 */
final class SidecarScopes {
  private final String rootNamespace;
  private final Map<String, List<Sidecar>> selecting = new HashMap<>();
  private final Map<String, Sidecar> namespaceDefaults = new HashMap<>();

  private SidecarScopes(MeshSnapshot mesh, Diagnostics diagnostics) {
    this.rootNamespace = mesh.settings().rootNamespace();
    for (Sidecar sidecar : mesh.sidecars()) { // namespace/name order
      String namespace = sidecar.meta().namespace();
      if (!sidecar.workloadSelector().isEmpty()) {
        selecting.computeIfAbsent(namespace, n -> new ArrayList<>()).add(sidecar);
        continue;
      }
      Sidecar first = namespaceDefaults.putIfAbsent(namespace, sidecar);
      if (first != null) {
        diagnostics.add(
            sidecar.meta(),
            "ignored: "
                + first.meta().qualifiedName()
                + " already applies to every workload of namespace "
                + namespace
                + " (one Sidecar without workloadSelector per namespace)");
      }
    }
  }

  static SidecarScopes of(MeshSnapshot mesh, Diagnostics diagnostics) {
    return new SidecarScopes(mesh, diagnostics);
  }

  /** The Sidecar for {@code proxy}; empty for proxyless gRPC and where none applies. */
  Optional<Sidecar> select(ProxyContext proxy, Diagnostics diagnostics) {
    if (proxy.kind() != ProxyKind.SIDECAR) {
      return Optional.empty();
    }
    List<Sidecar> matching =
        selecting.getOrDefault(proxy.namespace(), List.of()).stream()
            .filter(s -> s.selects(proxy.labels()))
            .toList();
    if (!matching.isEmpty()) {
      for (Sidecar other : matching.subList(1, matching.size())) {
        diagnostics.add(
            other.meta(),
            "ignored for workloads labelled "
                + proxy.labels()
                + ": "
                + matching.get(0).meta().qualifiedName()
                + " selects them too and applies first");
      }
      return Optional.of(matching.get(0));
    }
    Sidecar namespaceDefault = namespaceDefaults.get(proxy.namespace());
    if (namespaceDefault != null) {
      return Optional.of(namespaceDefault);
    }
    return Optional.ofNullable(namespaceDefaults.get(rootNamespace));
  }
}
