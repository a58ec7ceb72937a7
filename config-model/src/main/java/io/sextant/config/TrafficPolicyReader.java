package io.sextant.config;

import io.sextant.config.networking.ClientTls;
import io.sextant.config.networking.ConnectionPool;
import io.sextant.config.networking.LoadBalancer;
import io.sextant.config.networking.LoadBalancer.ConsistentHash;
import io.sextant.config.networking.LoadBalancer.HashAlgorithm;
import io.sextant.config.networking.LoadBalancer.HashKey;
import io.sextant.config.networking.LoadBalancer.LocalityLb;
import io.sextant.config.networking.OutlierDetection;
import io.sextant.config.networking.TrafficPolicy;
import io.sextant.config.yaml.YamlObject;
import io.sextant.model.Locality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Reads and validates Istio's {@code TrafficPolicy}, at the top level, per subset and per port. */
final class TrafficPolicyReader {
  /** Envoy's largest ring hash size. */
  static final int MAX_RING_SIZE = 8_388_608;

  /** Envoy's largest Maglev table (a prime). */
  static final int MAX_MAGLEV_TABLE = 5_000_011;

  private static final Duration MILLI = Duration.ofMillis(1);
  private static final int MAX = Integer.MAX_VALUE;

  private TrafficPolicyReader() {}

  /** The policy at {@code key} of {@code parent}, or {@link TrafficPolicy#NONE}. */
  static TrafficPolicy read(YamlObject parent, String key) {
    return parent.object(key).map(p -> policy(p, true)).orElse(TrafficPolicy.NONE);
  }

  private static TrafficPolicy policy(YamlObject p, boolean withPorts) {
    Optional<LoadBalancer> lb = p.object("loadBalancer").map(TrafficPolicyReader::loadBalancer);
    Optional<ConnectionPool> pool =
        p.object("connectionPool").map(TrafficPolicyReader::connectionPool);
    Optional<OutlierDetection> outlier =
        p.object("outlierDetection").map(TrafficPolicyReader::outlierDetection);
    Optional<ClientTls> tls = p.object("tls").flatMap(TrafficPolicyReader::tls);
    List<TrafficPolicy.PortPolicy> ports = new ArrayList<>();
    if (withPorts) {
      ports = p.list("portLevelSettings", TrafficPolicyReader::portPolicy);
      Set<Integer> seen = new HashSet<>();
      for (TrafficPolicy.PortPolicy port : ports) {
        if (!seen.add(port.port())) {
          p.error("portLevelSettings", "port " + port.port() + " has two port-level settings");
        }
      }
    }
    p.unsupported("proxyProtocol", "tunnel");
    p.finish();
    return new TrafficPolicy(lb, pool, outlier, tls, ports);
  }

  private static TrafficPolicy.PortPolicy portPolicy(YamlObject p) {
    int number =
        p.requiredObject("port")
            .map(
                port -> {
                  int n = port.requiredInteger("number", 1, 65535);
                  port.finish();
                  return n;
                })
            .orElse(0);
    TrafficPolicy policy = policy(p, false);
    return number == 0 ? null : new TrafficPolicy.PortPolicy(number, policy);
  }

  private static LoadBalancer loadBalancer(YamlObject lb) {
    Optional<String> simpleName =
        lb.oneOf(
            "simple",
            List.of(
                "UNSPECIFIED",
                "ROUND_ROBIN",
                "LEAST_REQUEST",
                "LEAST_CONN",
                "RANDOM",
                "PASSTHROUGH"));
    LoadBalancer.Simple simple =
        simpleName
            .map(s -> s.equals("LEAST_CONN") ? "LEAST_REQUEST" : s)
            .map(LoadBalancer.Simple::valueOf)
            .orElse(LoadBalancer.Simple.UNSPECIFIED);
    Optional<ConsistentHash> hash =
        lb.object("consistentHash").flatMap(TrafficPolicyReader::consistentHash);
    if (lb.has("simple") && lb.has("consistentHash")) {
      lb.error("consistentHash", "set only one of 'simple' and 'consistentHash'");
    }
    Optional<LocalityLb> locality =
        lb.object("localityLbSetting").map(TrafficPolicyReader::locality);
    Optional<Duration> warmup = IstioDurations.read(lb, "warmupDurationSecs", MILLI);
    if (warmup.isPresent()
        && (lb.has("consistentHash")
            || simple == LoadBalancer.Simple.RANDOM
            || simple == LoadBalancer.Simple.PASSTHROUGH)) {
      lb.error(
          "warmupDurationSecs",
          "a warm-up window applies only to ROUND_ROBIN and LEAST_REQUEST (or the default)");
    }
    lb.finish();
    return new LoadBalancer(simple, hash, locality, warmup);
  }

  private static Optional<ConsistentHash> consistentHash(YamlObject h) {
    List<HashKey> keys = new ArrayList<>();
    h.string("httpHeaderName").ifPresent(n -> keys.add(new HashKey.Header(n)));
    h.object("httpCookie").ifPresent(c -> keys.add(cookie(c)));
    if (h.bool("useSourceIp").orElse(false)) {
      keys.add(new HashKey.SourceIp());
    }
    h.string("httpQueryParameterName").ifPresent(n -> keys.add(new HashKey.QueryParameter(n)));
    String choices = "'httpHeaderName', 'httpCookie', 'useSourceIp' and 'httpQueryParameterName'";
    if (keys.size() > 1) {
      h.problems().add(h.location(), h.path(), "set only one of " + choices);
    } else if (keys.isEmpty()) {
      h.problems().add(h.location(), h.path(), "set one of " + choices);
    }
    List<HashAlgorithm> algorithms = new ArrayList<>();
    h.object("ringHash")
        .ifPresent(
            r -> {
              int size = r.integer("minimumRingSize", 1, MAX_RING_SIZE).orElse(0);
              r.finish();
              algorithms.add(new HashAlgorithm.RingHash(size));
            });
    h.object("maglev")
        .ifPresent(
            m -> {
              int size = m.integer("tableSize", 2, MAX_MAGLEV_TABLE).orElse(0);
              if (size != 0 && !java.math.BigInteger.valueOf(size).isProbablePrime(30)) {
                m.error("tableSize", "the Maglev table size must be a prime number, got " + size);
              }
              m.finish();
              algorithms.add(new HashAlgorithm.Maglev(size));
            });
    h.integer("minimumRingSize", 0, MAX_RING_SIZE)
        .ifPresent(size -> algorithms.add(new HashAlgorithm.RingHash(size)));
    if (algorithms.size() > 1) {
      h.problems()
          .add(
              h.location(),
              h.path(),
              "set only one of 'ringHash', 'maglev' and the deprecated 'minimumRingSize'");
    }
    h.finish();
    if (keys.size() != 1) {
      return Optional.empty();
    }
    return Optional.of(
        new ConsistentHash(
            keys.get(0), algorithms.isEmpty() ? new HashAlgorithm.RingHash(0) : algorithms.get(0)));
  }

  private static HashKey cookie(YamlObject c) {
    String name = c.requiredString("name");
    String path = c.string("path", "");
    Optional<Duration> ttl = IstioDurations.read(c, "ttl", Duration.ZERO);
    c.unsupported("attributes");
    c.finish();
    return new HashKey.Cookie(name, path, ttl);
  }

  private static LocalityLb locality(YamlObject l) {
    Optional<Boolean> enabled = l.bool("enabled");
    List<LocalityLb.Distribute> distribute =
        l.list(
            "distribute",
            d -> {
              String from = d.requiredString("from");
              var to = d.integerMap("to", 0, 100);
              if (!to.isEmpty() && to.values().stream().mapToInt(Integer::intValue).sum() != 100) {
                d.error("to", "the weights must add up to 100, got " + to.values());
              }
              d.finish();
              return new LocalityLb.Distribute(from, to);
            });
    List<LocalityLb.Failover> failover =
        l.list(
            "failover",
            f -> {
              String from = f.requiredString("from");
              String to = f.requiredString("to");
              if (!from.isEmpty() && from.equals(to)) {
                f.error("to", "failover 'to' must differ from 'from'");
              }
              f.finish();
              return new LocalityLb.Failover(from, to);
            });
    List<LocalityLb.PriorityLabel> priority = failoverPriority(l);
    if (!distribute.isEmpty() && !failover.isEmpty()) {
      l.error("failover", "set only one of 'distribute' and 'failover'");
    }
    if (!distribute.isEmpty() && !priority.isEmpty()) {
      // Istio silently ignores failoverPriority next to distribute.
      l.error("failoverPriority", "set only one of 'distribute' and 'failoverPriority'");
    }
    if (!failover.isEmpty()) {
      // Both would rank by closeness to the client's locality; Istio's validation refuses it too.
      // A topology label with a value ranks by that value instead, which Istio allows.
      priority.stream()
          .filter(p -> p.value().isEmpty() && Locality.UNKNOWN.part(p.key()).isPresent())
          .findFirst()
          .ifPresent(
              p ->
                  l.error(
                      "failoverPriority",
                      "topology label '"
                          + p.key()
                          + "' cannot be used together with 'failover', which already ranks"
                          + " endpoints by region, zone and subzone"));
    }
    l.finish();
    return new LocalityLb(enabled, distribute, failover, priority);
  }

  /** Entries are {@code key} or {@code key=value}, as Istio reads them. */
  private static List<LocalityLb.PriorityLabel> failoverPriority(YamlObject l) {
    List<LocalityLb.PriorityLabel> labels = new ArrayList<>();
    List<String> entries = l.stringList("failoverPriority");
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      String[] parts = entry.split("=", -1);
      if (parts[0].isBlank() || parts.length > 2) {
        l.error(
            "failoverPriority",
            "entry " + i + " ('" + entry + "') must be a label key or key=value with one '='");
        continue;
      }
      labels.add(
          new LocalityLb.PriorityLabel(
              parts[0], parts.length == 2 ? Optional.of(parts[1]) : Optional.empty()));
    }
    return labels;
  }

  private static ConnectionPool connectionPool(YamlObject c) {
    ConnectionPool.Tcp tcp =
        c.object("tcp").map(TrafficPolicyReader::tcp).orElse(ConnectionPool.Tcp.NONE);
    ConnectionPool.Http http =
        c.object("http").map(TrafficPolicyReader::http).orElse(ConnectionPool.Http.NONE);
    c.finish();
    return new ConnectionPool(tcp, http);
  }

  private static ConnectionPool.Tcp tcp(YamlObject t) {
    OptionalInt maxConnections = positive(t, "maxConnections");
    Optional<Duration> connectTimeout = IstioDurations.read(t, "connectTimeout", MILLI);
    Optional<ConnectionPool.Keepalive> keepalive =
        t.object("tcpKeepalive")
            .map(
                k -> {
                  OptionalInt probes = positive(k, "probes");
                  Optional<Duration> time = IstioDurations.read(k, "time", Duration.ofSeconds(1));
                  Optional<Duration> interval =
                      IstioDurations.read(k, "interval", Duration.ofSeconds(1));
                  k.finish();
                  return new ConnectionPool.Keepalive(probes, time, interval);
                });
    Optional<Duration> maxDuration = IstioDurations.read(t, "maxConnectionDuration", MILLI);
    Optional<Duration> idle = IstioDurations.read(t, "idleTimeout", MILLI);
    t.finish();
    return new ConnectionPool.Tcp(maxConnections, connectTimeout, keepalive, maxDuration, idle);
  }

  private static ConnectionPool.Http http(YamlObject h) {
    OptionalInt pending = positive(h, "http1MaxPendingRequests");
    OptionalInt requests = positive(h, "http2MaxRequests");
    OptionalInt perConnection = positive(h, "maxRequestsPerConnection");
    OptionalInt retries =
        h.integer("maxRetries", 0, MAX).map(OptionalInt::of).orElse(OptionalInt.empty());
    Optional<Duration> idle = IstioDurations.read(h, "idleTimeout", MILLI);
    ConnectionPool.H2Upgrade upgrade =
        h.enumValue("h2UpgradePolicy", ConnectionPool.H2Upgrade.class)
            .orElse(ConnectionPool.H2Upgrade.DEFAULT);
    boolean useClientProtocol = h.bool("useClientProtocol").orElse(false);
    OptionalInt streams = positive(h, "maxConcurrentStreams");
    if (useClientProtocol && upgrade == ConnectionPool.H2Upgrade.UPGRADE) {
      h.error(
          "h2UpgradePolicy", "set only one of 'h2UpgradePolicy: UPGRADE' and 'useClientProtocol'");
    }
    h.finish();
    return new ConnectionPool.Http(
        pending, requests, perConnection, retries, idle, upgrade, useClientProtocol, streams);
  }

  /**
   * A count of at least 1. As in proto3, where Istio's limits are plain integers, 0 means unset.
   */
  private static OptionalInt positive(YamlObject o, String key) {
    return o.integer(key, 0, MAX)
        .filter(n -> n > 0)
        .map(OptionalInt::of)
        .orElse(OptionalInt.empty());
  }

  private static OptionalInt count(YamlObject o, String key) {
    return o.integer(key, 0, MAX).map(OptionalInt::of).orElse(OptionalInt.empty());
  }

  private static OutlierDetection outlierDetection(YamlObject o) {
    OptionalInt consecutive5xx = count(o, "consecutive5xxErrors");
    OptionalInt gateway = count(o, "consecutiveGatewayErrors");
    OptionalInt localOrigin = count(o, "consecutiveLocalOriginFailures");
    boolean split = o.bool("splitExternalLocalOriginErrors").orElse(false);
    if (localOrigin.isPresent() && !split) {
      o.error(
          "consecutiveLocalOriginFailures",
          "takes effect only with 'splitExternalLocalOriginErrors: true'");
    }
    Optional<Duration> interval = IstioDurations.read(o, "interval", MILLI);
    Optional<Duration> baseEjection = IstioDurations.read(o, "baseEjectionTime", MILLI);
    OptionalInt maxEjection =
        o.integer("maxEjectionPercent", 0, 100).map(OptionalInt::of).orElse(OptionalInt.empty());
    int minHealth = o.integer("minHealthPercent", 0, 100).orElse(0);
    o.unsupported("consecutiveErrors");
    o.finish();
    return new OutlierDetection(
        consecutive5xx,
        gateway,
        localOrigin,
        split,
        interval,
        baseEjection,
        maxEjection,
        minHealth);
  }

  private static Optional<ClientTls> tls(YamlObject t) {
    Optional<String> modeName =
        t.oneOf("mode", List.of("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"));
    if (modeName.equals(Optional.of("ISTIO_MUTUAL"))) {
      t.error(
          "mode",
          "ISTIO_MUTUAL needs the mesh's own certificates, which come with Sextant's security"
              + " work; use MUTUAL with certificate files, or SIMPLE");
    }
    ClientTls.Mode mode =
        modeName
            .filter(m -> !m.equals("ISTIO_MUTUAL"))
            .map(ClientTls.Mode::valueOf)
            .orElse(ClientTls.Mode.DISABLE);
    Optional<String> cert = t.string("clientCertificate");
    Optional<String> key = t.string("privateKey");
    Optional<String> ca = t.string("caCertificates");
    Optional<String> sni = t.string("sni");
    List<String> sans = t.stringList("subjectAltNames");
    boolean skipVerify = t.bool("insecureSkipVerify").orElse(false);
    if (mode == ClientTls.Mode.MUTUAL) {
      if (cert.isEmpty()) {
        t.error("clientCertificate", "MUTUAL needs 'clientCertificate' (a file path)");
      }
      if (key.isEmpty()) {
        t.error("privateKey", "MUTUAL needs 'privateKey' (a file path)");
      }
    }
    if (mode != ClientTls.Mode.MUTUAL && (cert.isPresent() || key.isPresent())) {
      t.error(
          cert.isPresent() ? "clientCertificate" : "privateKey",
          "a client certificate is sent only with mode MUTUAL");
    }
    t.unsupported("credentialName", "caCrl");
    t.finish();
    if (modeName.equals(Optional.of("ISTIO_MUTUAL"))) {
      return Optional.empty();
    }
    return Optional.of(new ClientTls(mode, cert, key, ca, sni, sans, skipVerify));
  }
}
