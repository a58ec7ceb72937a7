package io.sextant.config.networking;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** Istio's {@code ConnectionPoolSettings}: limits on connections and requests to each host. */
public record ConnectionPool(Tcp tcp, Http http) {
  public ConnectionPool {
    Objects.requireNonNull(tcp, "tcp");
    Objects.requireNonNull(http, "http");
  }

  /** TCP settings; every field optional. */
  public record Tcp(
      OptionalInt maxConnections,
      Optional<Duration> connectTimeout,
      Optional<Keepalive> keepalive,
      Optional<Duration> maxConnectionDuration,
      Optional<Duration> idleTimeout) {
    public static final Tcp NONE =
        new Tcp(
            OptionalInt.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    public Tcp {
      Objects.requireNonNull(maxConnections, "maxConnections");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(keepalive, "keepalive");
      Objects.requireNonNull(maxConnectionDuration, "maxConnectionDuration");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
    }
  }

  /** TCP keepalive probes; unset parts keep the operating system's values. */
  public record Keepalive(
      OptionalInt probes, Optional<Duration> time, Optional<Duration> interval) {
    public Keepalive {
      Objects.requireNonNull(probes, "probes");
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(interval, "interval");
    }
  }

  /** Whether to upgrade HTTP/1.1 connections to HTTP/2. */
  public enum H2Upgrade {
    DEFAULT,
    DO_NOT_UPGRADE,
    UPGRADE
  }

  /** HTTP settings; every field optional. */
  public record Http(
      OptionalInt http1MaxPendingRequests,
      OptionalInt http2MaxRequests,
      OptionalInt maxRequestsPerConnection,
      OptionalInt maxRetries,
      Optional<Duration> idleTimeout,
      H2Upgrade h2UpgradePolicy,
      boolean useClientProtocol,
      OptionalInt maxConcurrentStreams) {
    public static final Http NONE =
        new Http(
            OptionalInt.empty(),
            OptionalInt.empty(),
            OptionalInt.empty(),
            OptionalInt.empty(),
            Optional.empty(),
            H2Upgrade.DEFAULT,
            false,
            OptionalInt.empty());

    public Http {
      Objects.requireNonNull(http1MaxPendingRequests, "http1MaxPendingRequests");
      Objects.requireNonNull(http2MaxRequests, "http2MaxRequests");
      Objects.requireNonNull(maxRequestsPerConnection, "maxRequestsPerConnection");
      Objects.requireNonNull(maxRetries, "maxRetries");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      Objects.requireNonNull(h2UpgradePolicy, "h2UpgradePolicy");
      Objects.requireNonNull(maxConcurrentStreams, "maxConcurrentStreams");
    }
  }
}
