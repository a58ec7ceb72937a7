package io.sextant.translator;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.TrafficPolicy;
import io.sextant.model.Endpoint;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Resolution;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.Clusters;
import io.sextant.translator.envoy.Endpoints;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Outbound clusters and their endpoints for every service: {@code outbound|PORT||HOST} per port,
 * plus {@code outbound|PORT|SUBSET|HOST} per DestinationRule subset.
 */
final class ServiceClusters {
  private ServiceClusters() {}

  /** Outbound clusters for {@code proxy}: EDS for STATIC services, DNS clusters for DNS ones. */
  static List<Cluster> clusters(MeshIndex index, ProxyContext proxy, Diagnostics diagnostics) {
    List<Cluster> clusters = new ArrayList<>();
    forEachCluster(
        index,
        index.services(),
        (target, endpoints) -> {
          boolean http2 = target.port().protocol().isHttp2();
          Cluster cluster;
          if (target.service().service().resolution() == Resolution.STATIC) {
            cluster = Clusters.eds(target.name(), http2);
          } else if (proxy.kind() == ProxyKind.SIDECAR) {
            cluster = Clusters.strictDns(target.name(), endpoints, http2);
          } else if (endpoints.size() == 1) {
            cluster = Clusters.logicalDns(target.name(), endpoints.get(0), http2);
          } else {
            diagnostics.add(
                ProxyKind.GRPC,
                "cluster " + target.name(),
                "left out for proxyless gRPC: it needs exactly one DNS name (LOGICAL_DNS), this"
                    + " service resolves "
                    + endpoints.size());
            return;
          }
          clusters.add(
              TrafficPolicies.apply(
                  cluster, policy(index, target), target.port(), proxy.kind(), diagnostics));
        });
    return clusters;
  }

  /** One assignment per EDS cluster; the same for every proxy. */
  static List<ClusterLoadAssignment> assignments(MeshIndex index) {
    return assignments(index, index.services());
  }

  /** The assignments of {@code services} only: what an endpoint change needs recomputed. */
  static List<ClusterLoadAssignment> assignments(MeshIndex index, Iterable<MeshService> services) {
    return assignments(
        index, services, new LocalityLoadBalancing.Client(Locality.UNKNOWN, java.util.Map.of()));
  }

  /**
   * The assignments as sidecars like {@code client} see them: endpoints ranked or weighted by the
   * DestinationRules' locality settings relative to its locality and labels.
   */
  static List<ClusterLoadAssignment> assignments(
      MeshIndex index, Iterable<MeshService> services, LocalityLoadBalancing.Client client) {
    List<ClusterLoadAssignment> assignments = new ArrayList<>();
    forEachCluster(
        index,
        services,
        (target, endpoints) -> {
          if (target.service().service().resolution() == Resolution.STATIC) {
            assignments.add(
                Endpoints.assignment(
                    target.name(),
                    LocalityLoadBalancing.apply(endpoints, policy(index, target), client)));
          }
        });
    return assignments;
  }

  /** A cluster to build: which service, port and subset ("" for all) it stands for. */
  record Target(String name, MeshService service, ServicePort port, String subset) {}

  /** The DestinationRule's policy for the target's subset and port, by Istio's precedence. */
  private static TrafficPolicy policy(MeshIndex index, Target target) {
    return index
        .destinationRule(target.service().hostname())
        .map(dr -> dr.policyFor(target.subset(), target.port().number()))
        .orElse(TrafficPolicy.NONE);
  }

  private static void forEachCluster(
      MeshIndex index, Iterable<MeshService> services, BiConsumer<Target, List<Endpoint>> action) {
    for (MeshService service : services) {
      List<Subset> subsets = index.subsets(service.hostname());
      for (ServicePort port : service.service().ports()) {
        List<Endpoint> endpoints = service.endpoints(port.number());
        action.accept(
            new Target(Names.outboundCluster(port.number(), service.hostname()), service, port, ""),
            endpoints);
        for (Subset subset : subsets) {
          action.accept(
              new Target(
                  Names.outboundCluster(port.number(), subset.name(), service.hostname()),
                  service,
                  port,
                  subset.name()),
              endpoints.stream().filter(e -> e.matches(subset.labels())).toList());
        }
      }
    }
  }
}
