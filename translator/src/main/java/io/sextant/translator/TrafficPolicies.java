package io.sextant.translator;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.sextant.config.networking.ConnectionPool;
import io.sextant.config.networking.LoadBalancer;
import io.sextant.config.networking.LoadBalancer.HashAlgorithm;
import io.sextant.config.networking.TrafficPolicy;
import io.sextant.model.MeshService;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.ClusterPolicies;
import io.sextant.translator.envoy.ProtoDurations;
import java.util.Optional;

/**
 * Applies a DestinationRule's traffic policy to an outbound cluster, for the kind of proxy that
 * receives it. Envoy gets Istio's mapping in full. grpc-java rejects a whole cluster it cannot
 * parse (an unknown lb_policy, a TLS context without its certificate providers), so proxyless
 * clients get only what grpc-java 1.62 understands; the rest is left out and reported.
 */
final class TrafficPolicies {
  /**
   * grpc-java reads {@code max_requests} as a signed int: Istio's 2^32 - 1 would become -1 and fail
   * every call, so its "no limit" is the largest signed value.
   */
  static final int GRPC_UNLIMITED = Integer.MAX_VALUE;

  private TrafficPolicies() {}

  /** {@code cluster} with {@code policy} applied, plus Istio's default circuit breakers. */
  static Cluster apply(
      Cluster cluster,
      TrafficPolicy policy,
      ServicePort port,
      ProxyKind kind,
      Diagnostics diagnostics) {
    Cluster.Builder c = cluster.toBuilder();
    ConnectionPool pool =
        policy
            .connectionPool()
            .orElse(new ConnectionPool(ConnectionPool.Tcp.NONE, ConnectionPool.Http.NONE));
    String subject = "cluster " + cluster.getName();
    if (kind == ProxyKind.GRPC) {
      applyForGrpc(c, policy, pool, subject, diagnostics);
      return c.build();
    }
    c.setCircuitBreakers(ClusterPolicies.circuitBreakers(pool));
    policy.loadBalancer().ifPresent(lb -> ClusterPolicies.loadBalancer(c, lb));
    LocalityLoadBalancing.check(policy, subject, diagnostics);
    policy
        .connectionPool()
        .ifPresent(p -> ClusterPolicies.connectionPool(c, p, port.protocol().isHttp()));
    policy
        .outlierDetection()
        .ifPresent(
            o -> {
              c.setOutlierDetection(ClusterPolicies.outlierDetection(o));
              c.setCommonLbConfig(ClusterPolicies.panicThreshold(o.minHealthPercent()));
            });
    policy.tls().flatMap(ClusterPolicies::upstreamTls).ifPresent(c::setTransportSocket);
    return c.build();
  }

  /**
   * The outbound TCP proxy of {@code service}'s {@code port} with the DestinationRule's {@code
   * connectionPool.tcp.idleTimeout}, as Istio sets it (Envoy's default is 1 hour).
   */
  static Filter idleTimeout(Filter tcpProxy, MeshIndex index, MeshService service, int port) {
    Optional<java.time.Duration> idle =
        index
            .destinationRule(service.hostname())
            .flatMap(dr -> dr.policyFor("", port).connectionPool())
            .flatMap(p -> p.tcp().idleTimeout());
    if (idle.isEmpty()) {
      return tcpProxy;
    }
    try {
      TcpProxy proxy = tcpProxy.getTypedConfig().unpack(TcpProxy.class);
      return tcpProxy.toBuilder()
          .setTypedConfig(
              Any.pack(proxy.toBuilder().setIdleTimeout(ProtoDurations.of(idle.get())).build()))
          .build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("not a TCP proxy: " + tcpProxy.getName(), e);
    }
  }

  private static void applyForGrpc(
      Cluster.Builder c,
      TrafficPolicy policy,
      ConnectionPool pool,
      String subject,
      Diagnostics diagnostics) {
    c.setCircuitBreakers(
        CircuitBreakers.newBuilder()
            .addThresholds(
                CircuitBreakers.Thresholds.newBuilder()
                    .setMaxRequests(
                        com.google.protobuf.UInt32Value.of(
                            pool.http().http2MaxRequests().orElse(GRPC_UNLIMITED)))));
    policy.loadBalancer().ifPresent(lb -> grpcLoadBalancer(c, lb, subject, diagnostics));
    if (policy.connectionPool().isPresent() && !onlyMaxRequests(pool)) {
      diagnostics.add(
          ProxyKind.GRPC,
          subject,
          "proxyless gRPC: of connectionPool only http.http2MaxRequests applies (grpc-java's"
              + " max_requests); the other settings are left out");
    }
    policy
        .outlierDetection()
        .ifPresent(
            o -> {
              c.setOutlierDetection(ClusterPolicies.grpcOutlierDetection(o));
              diagnostics.add(
                  ProxyKind.GRPC,
                  subject,
                  "proxyless gRPC: outlier detection as failure percentage (grpc-java has no"
                      + " consecutive-error ejection): a host is ejected when all of at least"
                      + " consecutive5xxErrors calls in an interval failed; gateway and"
                      + " local-origin settings and minHealthPercent are left out");
            });
    if (policy.tls().isPresent()) {
      diagnostics.add(
          ProxyKind.GRPC,
          subject,
          "proxyless gRPC: tls left out (grpc-java takes upstream TLS only from certificate"
              + " providers, not files)");
    }
  }

  private static boolean onlyMaxRequests(ConnectionPool pool) {
    ConnectionPool.Http h = pool.http();
    return pool.tcp().equals(ConnectionPool.Tcp.NONE)
        && h.equals(
            new ConnectionPool.Http(
                ConnectionPool.Http.NONE.http1MaxPendingRequests(),
                h.http2MaxRequests(),
                ConnectionPool.Http.NONE.maxRequestsPerConnection(),
                ConnectionPool.Http.NONE.maxRetries(),
                ConnectionPool.Http.NONE.idleTimeout(),
                ConnectionPool.Http.NONE.h2UpgradePolicy(),
                ConnectionPool.Http.NONE.useClientProtocol(),
                ConnectionPool.Http.NONE.maxConcurrentStreams()));
  }

  private static void grpcLoadBalancer(
      Cluster.Builder c, LoadBalancer lb, String subject, Diagnostics diagnostics) {
    if (lb.locality().isPresent()
        && !lb.locality().get().enabled().equals(Optional.of(false))
        && !lb.locality().get().distribute().isEmpty()) {
      diagnostics.add(
          ProxyKind.GRPC,
          subject,
          "proxyless gRPC: localityLbSetting.distribute is sent as endpoint weights, which"
              + " grpc-java's round robin ignores; failover (priorities) does apply");
    }
    if (lb.consistentHash().isPresent()) {
      HashAlgorithm algorithm = lb.consistentHash().get().algorithm();
      if (algorithm instanceof HashAlgorithm.RingHash) {
        ClusterPolicies.loadBalancer(c, lb);
      } else {
        diagnostics.add(
            ProxyKind.GRPC,
            subject,
            "proxyless gRPC: Maglev is not supported by grpc-java; ring hash used");
        ClusterPolicies.loadBalancer(
            c,
            new LoadBalancer(
                LoadBalancer.Simple.UNSPECIFIED,
                Optional.of(
                    new LoadBalancer.ConsistentHash(
                        lb.consistentHash().get().key(), new HashAlgorithm.RingHash(0))),
                Optional.empty(),
                Optional.empty()));
      }
      return;
    }
    switch (lb.simple()) {
        // grpc-java 1.62 rejects LEAST_REQUEST unless the client sets
        // GRPC_EXPERIMENTAL_ENABLE_LEAST_REQUEST, which Sextant cannot know.
      case LEAST_REQUEST ->
          diagnostics.add(
              ProxyKind.GRPC,
              subject,
              "proxyless gRPC: LEAST_REQUEST is accepted by grpc-java 1.62 only behind the"
                  + " GRPC_EXPERIMENTAL_ENABLE_LEAST_REQUEST flag; ROUND_ROBIN used");
      case RANDOM, PASSTHROUGH ->
          diagnostics.add(
              ProxyKind.GRPC,
              subject,
              "proxyless gRPC: simple "
                  + lb.simple()
                  + " is not supported by grpc-java; ROUND_ROBIN used");
      default -> c.setLbPolicy(LbPolicy.ROUND_ROBIN);
    }
    if (lb.warmup().isPresent()) {
      diagnostics.add(
          ProxyKind.GRPC, subject, "proxyless gRPC: warmupDurationSecs left out (no slow start)");
    }
  }
}
