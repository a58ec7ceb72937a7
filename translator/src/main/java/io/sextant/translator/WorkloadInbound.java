package io.sextant.translator;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.Clusters;
import io.sextant.translator.envoy.Listeners;
import io.sextant.translator.envoy.Names;
import io.sextant.translator.envoy.Routes;
import io.sextant.translator.envoy.Routes.WeightedDestination;
import java.util.List;

/**
 * The inbound side of a sidecar: for each port the workload listens on, a cluster {@code
 * inbound|PORT||} to the app on 127.0.0.1 and a filter chain that forwards mesh traffic to it.
 */
final class WorkloadInbound {
  private WorkloadInbound() {}

  static List<Cluster> clusters(List<ServicePort> ports) {
    return ports.stream()
        .map(
            p ->
                Clusters.staticAddress(
                    Names.inboundCluster(p.targetPort()),
                    Names.LOCALHOST,
                    p.targetPort(),
                    p.protocol().isHttp2()))
        .toList();
  }

  /**
   * The chain that hands one workload port's traffic to the app; {@code matchPort} restricts it to
   * that destination port (inside {@code virtualInbound}).
   */
  static FilterChain chain(ServicePort port, String listenerAddress, boolean matchPort) {
    int target = port.targetPort();
    String cluster = Names.inboundCluster(target);
    var filter =
        port.protocol().isHttp()
            ? Listeners.httpFilter(
                Listeners.inlineConnectionManager(
                    Names.inboundStatPrefix(listenerAddress, target),
                    Routes.routeConfiguration(
                        cluster,
                        List.of(
                            Routes.virtualHost(
                                Names.inboundVirtualHost(target),
                                List.of("*"),
                                List.of(
                                    Routes.forward(
                                        "default",
                                        Routes.prefix("/"),
                                        List.of(new WeightedDestination(cluster, 1)))))))))
            : Listeners.tcpProxy(cluster, cluster);
    if (!matchPort) {
      return Listeners.chain(cluster, filter);
    }
    return Listeners.chain(
        cluster,
        FilterChainMatch.newBuilder()
            .setDestinationPort(com.google.protobuf.UInt32Value.of(target))
            .build(),
        filter);
  }
}
