package io.sextant.translator;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.sextant.model.MeshSnapshot;
import io.sextant.translator.envoy.Clusters;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a mesh snapshot into the xDS resources for one proxy. Pure: no clocks, no I/O, no
 * randomness; equal inputs give equal, identically ordered output.
 */
public final class Translator {
  private Translator() {}

  public static Translation translate(MeshSnapshot mesh, ProxyContext proxy) {
    return translate(mesh, proxy, endpoints(mesh));
  }

  /**
   * The same, reusing {@code endpoints} (which must be {@link #endpoints} of {@code mesh}): they
   * are the same for every proxy, so a caller translating for many proxies computes them once.
   */
  public static Translation translate(
      MeshSnapshot mesh, ProxyContext proxy, List<ClusterLoadAssignment> endpoints) {
    Diagnostics diagnostics = new Diagnostics();
    MeshIndex index = MeshIndex.of(mesh, diagnostics);
    List<Cluster> clusters = clusters(index, proxy, diagnostics);
    Set<String> clusterNames = clusters.stream().map(Cluster::getName).collect(Collectors.toSet());
    List<RouteConfiguration> routes = ServiceRoutes.build(index, proxy, clusterNames, diagnostics);
    List<Listener> listeners =
        proxy.kind() == ProxyKind.GRPC
            ? GrpcListeners.build(index)
            : SidecarListeners.build(index, proxy, diagnostics);
    return new Translation(
        new XdsResources(listeners, routes, clusters, endpoints), diagnostics.list());
  }

  /**
   * Only the endpoints, which are the same for every proxy: what an endpoint-only change needs
   * recomputed.
   */
  public static List<ClusterLoadAssignment> endpoints(MeshSnapshot mesh) {
    return ServiceClusters.assignments(MeshIndex.of(mesh, new Diagnostics()));
  }

  private static List<Cluster> clusters(
      MeshIndex index, ProxyContext proxy, Diagnostics diagnostics) {
    List<Cluster> clusters = new ArrayList<>(ServiceClusters.clusters(index, proxy, diagnostics));
    if (proxy.kind() == ProxyKind.SIDECAR) {
      if (SidecarListeners.passesThrough(proxy)) {
        clusters.add(Clusters.originalDestination(Names.PASSTHROUGH_CLUSTER));
      }
      clusters.addAll(WorkloadInbound.clusters(Workloads.inboundPorts(index, proxy)));
    }
    return clusters;
  }
}
