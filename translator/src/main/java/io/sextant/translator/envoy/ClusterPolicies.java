package io.sextant.translator.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Percent;
import io.sextant.config.networking.ClientTls;
import io.sextant.config.networking.ConnectionPool;
import io.sextant.config.networking.LoadBalancer;
import io.sextant.config.networking.LoadBalancer.HashAlgorithm;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Builds the parts of a cluster that a DestinationRule's traffic policy sets: load balancer,
 * circuit breakers, connection options, outlier detection and upstream TLS, as Istio maps them.
 */
public final class ClusterPolicies {
  /** Istio's circuit-breaker default: effectively no limit (2^32 - 1). */
  public static final int UNLIMITED = -1; // 4294967295 as an unsigned 32-bit value

  public static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  private ClusterPolicies() {}

  /**
   * Istio's thresholds: the pool's limits where set, otherwise 2^32 - 1 for connections, pending
   * requests, requests and retries (Envoy's own defaults, 1024 and 3, are too low for a mesh).
   */
  public static CircuitBreakers circuitBreakers(ConnectionPool pool) {
    return CircuitBreakers.newBuilder()
        .addThresholds(
            CircuitBreakers.Thresholds.newBuilder()
                .setPriority(RoutingPriority.DEFAULT)
                .setMaxConnections(limit(pool.tcp().maxConnections()))
                .setMaxPendingRequests(limit(pool.http().http1MaxPendingRequests()))
                .setMaxRequests(limit(pool.http().http2MaxRequests()))
                .setMaxRetries(limit(pool.http().maxRetries()))
                .setTrackRemaining(true))
        .build();
  }

  private static UInt32Value limit(OptionalInt value) {
    return UInt32Value.of(value.orElse(UNLIMITED));
  }

  /** The simple policy or consistent hash, and the slow start window, on {@code c}. */
  public static void loadBalancer(Cluster.Builder c, LoadBalancer lb) {
    if (lb.consistentHash().isPresent()) {
      HashAlgorithm algorithm = lb.consistentHash().get().algorithm();
      if (algorithm instanceof HashAlgorithm.Maglev m) {
        c.setLbPolicy(LbPolicy.MAGLEV);
        if (m.tableSize() > 0) {
          c.setMaglevLbConfig(
              Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(m.tableSize())));
        }
      } else if (algorithm instanceof HashAlgorithm.RingHash r) {
        c.setLbPolicy(LbPolicy.RING_HASH);
        if (r.minimumRingSize() > 0) {
          c.setRingHashLbConfig(
              Cluster.RingHashLbConfig.newBuilder()
                  .setMinimumRingSize(UInt64Value.of(r.minimumRingSize())));
        }
      }
      return;
    }
    switch (lb.simple()) {
      case LEAST_REQUEST -> {
        c.setLbPolicy(LbPolicy.LEAST_REQUEST);
        lb.warmup()
            .ifPresent(
                w ->
                    c.setLeastRequestLbConfig(
                        Cluster.LeastRequestLbConfig.newBuilder()
                            .setSlowStartConfig(slowStart(w))));
      }
      case RANDOM -> c.setLbPolicy(LbPolicy.RANDOM);
      case PASSTHROUGH -> {
        // As Istio: connect to the address the caller dialled; no endpoints of our own.
        c.setType(DiscoveryType.ORIGINAL_DST)
            .setLbPolicy(LbPolicy.CLUSTER_PROVIDED)
            .clearEdsClusterConfig()
            .clearLoadAssignment();
      }
      default -> {
        c.setLbPolicy(LbPolicy.ROUND_ROBIN);
        lb.warmup()
            .ifPresent(
                w ->
                    c.setRoundRobinLbConfig(
                        Cluster.RoundRobinLbConfig.newBuilder().setSlowStartConfig(slowStart(w))));
      }
    }
  }

  private static Cluster.SlowStartConfig slowStart(java.time.Duration window) {
    return Cluster.SlowStartConfig.newBuilder()
        .setSlowStartWindow(ProtoDurations.of(window))
        .build();
  }

  /** Connect timeout, TCP keepalive, and the HTTP options of an HTTP cluster. */
  public static void connectionPool(Cluster.Builder c, ConnectionPool pool, boolean http) {
    ConnectionPool.Tcp tcp = pool.tcp();
    tcp.connectTimeout().ifPresent(t -> c.setConnectTimeout(ProtoDurations.of(t)));
    tcp.keepalive()
        .ifPresent(
            k -> {
              TcpKeepalive.Builder keepalive = TcpKeepalive.newBuilder();
              k.probes().ifPresent(p -> keepalive.setKeepaliveProbes(UInt32Value.of(p)));
              k.time().ifPresent(t -> keepalive.setKeepaliveTime(seconds(t)));
              k.interval().ifPresent(t -> keepalive.setKeepaliveInterval(seconds(t)));
              c.setUpstreamConnectionOptions(
                  UpstreamConnectionOptions.newBuilder().setTcpKeepalive(keepalive));
            });
    if (http) {
      httpOptions(c, pool);
    }
  }

  private static UInt32Value seconds(java.time.Duration d) {
    return UInt32Value.of((int) Math.min(d.getSeconds(), Integer.MAX_VALUE));
  }

  /**
   * The cluster's {@code HttpProtocolOptions}, starting from the explicit HTTP/2 config an HTTP/2
   * port already has: idle timeout (HTTP's, else TCP's), maximum connection duration, requests per
   * connection, HTTP/2 upgrade or the client's protocol, and HTTP/2's concurrent streams.
   */
  private static void httpOptions(Cluster.Builder c, ConnectionPool pool) {
    ConnectionPool.Http http = pool.http();
    HttpProtocolOptions.Builder options = HttpProtocolOptions.newBuilder();
    Any existing = c.getTypedExtensionProtocolOptionsMap().get(Clusters.HTTP_PROTOCOL_OPTIONS);
    boolean http2 = false;
    if (existing != null) {
      try {
        options.mergeFrom(existing.unpack(HttpProtocolOptions.class));
        http2 = options.getExplicitHttpConfig().hasHttp2ProtocolOptions();
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException("cluster " + c.getName() + " has unreadable options", e);
      }
    }
    var common = io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder();
    http.idleTimeout()
        .or(() -> pool.tcp().idleTimeout())
        .ifPresent(t -> common.setIdleTimeout(ProtoDurations.of(t)));
    pool.tcp()
        .maxConnectionDuration()
        .ifPresent(t -> common.setMaxConnectionDuration(ProtoDurations.of(t)));
    http.maxRequestsPerConnection()
        .ifPresent(n -> common.setMaxRequestsPerConnection(UInt32Value.of(n)));
    if (!common.build().equals(common.getDefaultInstanceForType())) {
      options.setCommonHttpProtocolOptions(common);
    }
    Http2ProtocolOptions.Builder h2 = Http2ProtocolOptions.newBuilder();
    http.maxConcurrentStreams().ifPresent(n -> h2.setMaxConcurrentStreams(UInt32Value.of(n)));
    if (http.useClientProtocol()) {
      options.setUseDownstreamProtocolConfig(
          HttpProtocolOptions.UseDownstreamHttpConfig.newBuilder()
              .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
              .setHttp2ProtocolOptions(h2));
    } else if (http2 || http.h2UpgradePolicy() == ConnectionPool.H2Upgrade.UPGRADE) {
      options.setExplicitHttpConfig(
          HttpProtocolOptions.ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(h2));
    } else {
      // Envoy requires the upstream protocol whenever HttpProtocolOptions is present.
      options.setExplicitHttpConfig(
          HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
              .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance()));
    }
    if (existing != null
        || options.hasCommonHttpProtocolOptions()
        || !options.hasExplicitHttpConfig()
        || options.getExplicitHttpConfig().hasHttp2ProtocolOptions()) {
      c.putTypedExtensionProtocolOptions(Clusters.HTTP_PROTOCOL_OPTIONS, Any.pack(options.build()));
    }
  }

  /**
   * Istio's mapping: the consecutive 5xx and gateway-error counts with enforcement 100% (0 turns
   * one off), local-origin failures only when split, success-rate ejection never; unset fields keep
   * Envoy's defaults.
   */
  public static OutlierDetection outlierDetection(io.sextant.config.networking.OutlierDetection o) {
    OutlierDetection.Builder out =
        OutlierDetection.newBuilder().setEnforcingSuccessRate(UInt32Value.of(0));
    o.consecutive5xxErrors()
        .ifPresent(
            n ->
                out.setConsecutive5Xx(UInt32Value.of(n))
                    .setEnforcingConsecutive5Xx(UInt32Value.of(n > 0 ? 100 : 0)));
    o.consecutiveGatewayErrors()
        .ifPresent(
            n ->
                out.setConsecutiveGatewayFailure(UInt32Value.of(n))
                    .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(n > 0 ? 100 : 0)));
    o.interval().ifPresent(d -> out.setInterval(ProtoDurations.of(d)));
    o.baseEjectionTime().ifPresent(d -> out.setBaseEjectionTime(ProtoDurations.of(d)));
    o.maxEjectionPercent().ifPresent(n -> out.setMaxEjectionPercent(UInt32Value.of(n)));
    if (o.splitExternalLocalOriginErrors()) {
      out.setSplitExternalLocalOriginErrors(true)
          .setEnforcingLocalOriginSuccessRate(UInt32Value.of(0));
      int local = o.consecutiveLocalOriginFailures().orElse(0);
      if (local > 0) {
        out.setConsecutiveLocalOriginFailure(UInt32Value.of(local))
            .setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(100));
      }
    }
    return out.build();
  }

  /** Istio sets the panic threshold with outlier detection: {@code minHealthPercent}, else 0. */
  public static Cluster.CommonLbConfig panicThreshold(int minHealthPercent) {
    return Cluster.CommonLbConfig.newBuilder()
        .setHealthyPanicThreshold(Percent.newBuilder().setValue(minHealthPercent))
        .build();
  }

  /**
   * Outlier detection in the terms grpc-java implements (gRFC A50: success rate and failure
   * percentage only). "N consecutive errors" becomes "at least N calls in an interval, all failed"
   * (failure percentage above 99 with a request volume of N), on any number of hosts.
   */
  public static OutlierDetection grpcOutlierDetection(
      io.sextant.config.networking.OutlierDetection o) {
    OutlierDetection.Builder out =
        OutlierDetection.newBuilder().setEnforcingSuccessRate(UInt32Value.of(0));
    int consecutive = o.consecutive5xxErrors().orElse(5);
    if (consecutive > 0) {
      out.setEnforcingFailurePercentage(UInt32Value.of(100))
          .setFailurePercentageThreshold(UInt32Value.of(99))
          .setFailurePercentageMinimumHosts(UInt32Value.of(1))
          .setFailurePercentageRequestVolume(UInt32Value.of(consecutive));
    }
    o.interval().ifPresent(d -> out.setInterval(ProtoDurations.of(d)));
    o.baseEjectionTime().ifPresent(d -> out.setBaseEjectionTime(ProtoDurations.of(d)));
    o.maxEjectionPercent().ifPresent(n -> out.setMaxEjectionPercent(UInt32Value.of(n)));
    return out.build();
  }

  /** An UpstreamTlsContext transport socket, certificates read from files; empty for DISABLE. */
  public static Optional<TransportSocket> upstreamTls(ClientTls tls) {
    if (tls.mode() == ClientTls.Mode.DISABLE) {
      return Optional.empty();
    }
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    if (tls.mode() == ClientTls.Mode.MUTUAL) {
      common.addTlsCertificates(
          TlsCertificate.newBuilder()
              .setCertificateChain(file(tls.clientCertificate().orElseThrow()))
              .setPrivateKey(file(tls.privateKey().orElseThrow())));
    }
    if (!tls.insecureSkipVerify()
        && (tls.caCertificates().isPresent() || !tls.subjectAltNames().isEmpty())) {
      CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
      tls.caCertificates().ifPresent(ca -> validation.setTrustedCa(file(ca)));
      for (String san : tls.subjectAltNames()) {
        validation.addMatchTypedSubjectAltNames(
            SubjectAltNameMatcher.newBuilder()
                .setSanType(
                    san.startsWith("spiffe://")
                        ? SubjectAltNameMatcher.SanType.URI
                        : SubjectAltNameMatcher.SanType.DNS)
                .setMatcher(StringMatcher.newBuilder().setExact(san)));
      }
      common.setValidationContext(validation);
    }
    UpstreamTlsContext.Builder context =
        UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    tls.sni().ifPresent(context::setSni);
    return Optional.of(
        TransportSocket.newBuilder()
            .setName(TLS_TRANSPORT_SOCKET)
            .setTypedConfig(Any.pack(context.build()))
            .build());
  }

  private static DataSource file(String path) {
    return DataSource.newBuilder().setFilename(path).build();
  }
}
