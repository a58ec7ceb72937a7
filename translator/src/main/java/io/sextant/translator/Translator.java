package io.sextant.translator;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.sextant.model.MeshSnapshot;
import java.util.List;

/**
 * Turns a mesh snapshot into the xDS resources for one proxy. Pure: no clocks, no I/O, no
 * randomness; equal inputs give equal, identically ordered output.
 */
public final class Translator {
  private Translator() {}

  public static Translation translate(MeshSnapshot mesh, ProxyContext proxy) {
    MeshTranslation translation = MeshTranslation.of(mesh);
    XdsResources resources = translation.forProxy(proxy).flatten();
    return new Translation(resources, translation.diagnostics());
  }

  /**
   * Only the endpoints, which are the same for every proxy: what an endpoint-only change needs
   * recomputed.
   */
  @SuppressWarnings("unchecked")
  public static List<ClusterLoadAssignment> endpoints(MeshSnapshot mesh) {
    return (List<ClusterLoadAssignment>) MeshTranslation.of(mesh).endpoints().resources();
  }
}
