package io.sextant.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.networking.ClientTls;
import io.sextant.config.networking.ConnectionPool;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.LoadBalancer;
import io.sextant.config.networking.LoadBalancer.HashAlgorithm;
import io.sextant.config.networking.LoadBalancer.HashKey;
import io.sextant.config.networking.TrafficPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrafficPolicyReaderTest {

  private static final String HEADER =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews}
      spec:
        host: reviews
      """;

  /** A DestinationRule for {@code reviews} whose spec continues with {@code rest}. */
  private static LoadResult destinationRule(String rest) {
    return ConfigLoader.parse("dr.yaml", HEADER + rest.indent(2));
  }

  private static LoadResult rule(String trafficPolicy) {
    return destinationRule("trafficPolicy:\n" + trafficPolicy.indent(2));
  }

  private static DestinationRule read(String trafficPolicy) {
    LoadResult r = rule(trafficPolicy);
    assertThat(r.errors()).isEmpty();
    return (DestinationRule) r.resources().get(0);
  }

  @Test
  void everySubPolicy_isRead() {
    TrafficPolicy p =
        read("""
                loadBalancer:
                  simple: LEAST_CONN
                  warmupDurationSecs: 30s
                connectionPool:
                  tcp:
                    maxConnections: 100
                    connectTimeout: 250ms
                    tcpKeepalive: {probes: 3, time: 7200s, interval: 75s}
                    maxConnectionDuration: 1h
                  http:
                    http1MaxPendingRequests: 10
                    http2MaxRequests: 1000
                    maxRequestsPerConnection: 1
                    maxRetries: 2
                    idleTimeout: 60s
                    h2UpgradePolicy: UPGRADE
                    maxConcurrentStreams: 50
                outlierDetection:
                  consecutive5xxErrors: 7
                  consecutiveGatewayErrors: 3
                  consecutiveLocalOriginFailures: 2
                  splitExternalLocalOriginErrors: true
                  interval: 5m
                  baseEjectionTime: 15m
                  maxEjectionPercent: 100
                  minHealthPercent: 20
                tls:
                  mode: MUTUAL
                  clientCertificate: /etc/certs/cert.pem
                  privateKey: /etc/certs/key.pem
                  caCertificates: /etc/certs/ca.pem
                  sni: reviews.example.com
                  subjectAltNames: [reviews.example.com]
                """)
            .trafficPolicy();

    LoadBalancer lb = p.loadBalancer().orElseThrow();
    assertThat(lb.simple()).isEqualTo(LoadBalancer.Simple.LEAST_REQUEST);
    assertThat(lb.warmup()).contains(Duration.ofSeconds(30));
    ConnectionPool pool = p.connectionPool().orElseThrow();
    assertThat(pool.tcp().maxConnections()).isEqualTo(OptionalInt.of(100));
    assertThat(pool.tcp().connectTimeout()).contains(Duration.ofMillis(250));
    assertThat(pool.tcp().keepalive().orElseThrow().time()).contains(Duration.ofHours(2));
    assertThat(pool.http().h2UpgradePolicy()).isEqualTo(ConnectionPool.H2Upgrade.UPGRADE);
    assertThat(pool.http().maxRetries()).isEqualTo(OptionalInt.of(2));
    var outlier = p.outlierDetection().orElseThrow();
    assertThat(outlier.consecutive5xxErrors()).isEqualTo(OptionalInt.of(7));
    assertThat(outlier.baseEjectionTime()).contains(Duration.ofMinutes(15));
    assertThat(outlier.minHealthPercent()).isEqualTo(20);
    ClientTls tls = p.tls().orElseThrow();
    assertThat(tls.mode()).isEqualTo(ClientTls.Mode.MUTUAL);
    assertThat(tls.subjectAltNames()).containsExactly("reviews.example.com");
  }

  @Test
  void consistentHashKeysAndAlgorithms_areRead() {
    assertThat(
            read("""
                    loadBalancer:
                      consistentHash:
                        httpCookie: {name: user, path: /, ttl: 0s}
                        maglev: {tableSize: 65537}
                    """)
                .trafficPolicy()
                .loadBalancer()
                .orElseThrow()
                .consistentHash()
                .orElseThrow())
        .isEqualTo(
            new LoadBalancer.ConsistentHash(
                new HashKey.Cookie("user", "/", Optional.of(Duration.ZERO)),
                new HashAlgorithm.Maglev(65537)));
    assertThat(
            read("""
                    loadBalancer:
                      consistentHash: {useSourceIp: true, minimumRingSize: 2048}
                    """)
                .trafficPolicy()
                .loadBalancer()
                .orElseThrow()
                .consistentHash()
                .orElseThrow())
        .isEqualTo(
            new LoadBalancer.ConsistentHash(
                new HashKey.SourceIp(), new HashAlgorithm.RingHash(2048)));
  }

  @Test
  void precedence_subsetReplacesWholeSubPolicies_andPortLevelReplacesAllFour() {
    LoadResult r =
        destinationRule(
            """
            trafficPolicy:
              loadBalancer: {simple: RANDOM}
              connectionPool: {tcp: {maxConnections: 10}}
              portLevelSettings:
              - port: {number: 9443}
                tls: {mode: SIMPLE}
            subsets:
            - name: v1
              labels: {version: v1}
              trafficPolicy:
                connectionPool: {http: {maxRetries: 1}}
                portLevelSettings:
                - port: {number: 9090}
                  loadBalancer: {simple: LEAST_REQUEST}
            """);
    assertThat(r.errors()).isEmpty();
    DestinationRule dr = (DestinationRule) r.resources().get(0);

    TrafficPolicy host = dr.policyFor("", 9080);
    assertThat(host.loadBalancer().orElseThrow().simple()).isEqualTo(LoadBalancer.Simple.RANDOM);
    assertThat(host.connectionPool().orElseThrow().tcp().maxConnections()).hasValue(10);

    TrafficPolicy hostTls = dr.policyFor("", 9443);
    assertThat(hostTls.loadBalancer()).isEmpty();
    assertThat(hostTls.tls()).isPresent();

    TrafficPolicy v1 = dr.policyFor("v1", 9080);
    assertThat(v1.loadBalancer().orElseThrow().simple()).isEqualTo(LoadBalancer.Simple.RANDOM);
    assertThat(v1.connectionPool().orElseThrow().tcp().maxConnections()).isEmpty();
    assertThat(v1.connectionPool().orElseThrow().http().maxRetries()).hasValue(1);

    TrafficPolicy v1Port = dr.policyFor("v1", 9090);
    assertThat(v1Port.loadBalancer().orElseThrow().simple())
        .isEqualTo(LoadBalancer.Simple.LEAST_REQUEST);
    assertThat(v1Port.connectionPool()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "loadBalancer: {simple: FASTEST}"
            + "|dr.yaml:7:28: spec.trafficPolicy.loadBalancer.simple: expected one of UNSPECIFIED,"
            + " ROUND_ROBIN, LEAST_REQUEST, LEAST_CONN, RANDOM, PASSTHROUGH, got 'FASTEST'",
        "loadBalancer: {simple: RANDOM, consistentHash: {httpHeaderName: x}}"
            + "|dr.yaml:7:52: spec.trafficPolicy.loadBalancer.consistentHash: set only one of"
            + " 'simple' and 'consistentHash'",
        "loadBalancer: {consistentHash: {httpHeaderName: x, useSourceIp: true}}"
            + "|dr.yaml:7:36: spec.trafficPolicy.loadBalancer.consistentHash: set only one of"
            + " 'httpHeaderName', 'httpCookie', 'useSourceIp' and 'httpQueryParameterName'",
        "loadBalancer: {consistentHash: {httpHeaderName: x, maglev: {tableSize: 1000}}}"
            + "|dr.yaml:7:76: spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: the"
            + " Maglev table size must be a prime number, got 1000",
        "loadBalancer: {simple: RANDOM, warmupDurationSecs: 10s}"
            + "|dr.yaml:7:56: spec.trafficPolicy.loadBalancer.warmupDurationSecs: a warm-up window"
            + " applies only to ROUND_ROBIN and LEAST_REQUEST (or the default)",
        "connectionPool: {tcp: {connectTimeout: soon}}"
            + "|dr.yaml:7:44: spec.trafficPolicy.connectionPool.tcp.connectTimeout: expected a"
            + " duration such as 0.5s, 250ms or 1m30s, got 'soon'",
        "connectionPool: {http: {h2UpgradePolicy: ALWAYS}}"
            + "|dr.yaml:7:46: spec.trafficPolicy.connectionPool.http.h2UpgradePolicy: expected one"
            + " of DEFAULT, DO_NOT_UPGRADE, UPGRADE, got 'ALWAYS'",
        "connectionPool: {http: {maxRetries: -1}}"
            + "|dr.yaml:7:41: spec.trafficPolicy.connectionPool.http.maxRetries: expected an"
            + " integer from 0 to 2147483647, got -1",
        "outlierDetection: {maxEjectionPercent: 150}"
            + "|dr.yaml:7:44: spec.trafficPolicy.outlierDetection.maxEjectionPercent: expected an"
            + " integer from 0 to 100, got 150",
        "outlierDetection: {consecutiveLocalOriginFailures: 3}"
            + "|dr.yaml:7:56: spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures:"
            + " takes effect only with 'splitExternalLocalOriginErrors: true'",
        "tls: {mode: ISTIO_MUTUAL}"
            + "|dr.yaml:7:17: spec.trafficPolicy.tls.mode: ISTIO_MUTUAL needs the mesh's own"
            + " certificates, which come with Sextant's security work; use MUTUAL with certificate"
            + " files, or SIMPLE",
        "tls: {mode: MUTUAL, privateKey: /k.pem}"
            + "|dr.yaml:7:10: spec.trafficPolicy.tls.clientCertificate: MUTUAL needs"
            + " 'clientCertificate' (a file path)",
        "portLevelSettings: [{tls: {mode: SIMPLE}}]"
            + "|dr.yaml:7:25: spec.trafficPolicy.portLevelSettings[0].port: missing required field"
            + " 'port'",
        "portLevelSettings: [{port: {}, tls: {mode: SIMPLE}}]"
            + "|dr.yaml:7:32: spec.trafficPolicy.portLevelSettings[0].port.number: missing required"
            + " field 'number'",
        "loadBalancer: {localityLbSetting: {failoverPriority: [app, '=v1']}}"
            + "|dr.yaml:7:58: spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority:"
            + " entry 1 ('=v1') must be a label key or key=value with one '='",
        "loadBalancer: {localityLbSetting: {failoverPriority: ['a=b=c']}}"
            + "|dr.yaml:7:58: spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority:"
            + " entry 0 ('a=b=c') must be a label key or key=value with one '='",
        "loadBalancer: {localityLbSetting: {distribute: [{from: '*', to: {'*': 100}}],"
            + " failoverPriority: [app]}}"
            + "|dr.yaml:7:101: spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority:"
            + " set only one of 'distribute' and 'failoverPriority'",
        "loadBalancer: {localityLbSetting: {failover: [{from: us, to: eu}],"
            + " failoverPriority: [app, topology.kubernetes.io/zone]}}"
            + "|dr.yaml:7:90: spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority:"
            + " topology label 'topology.kubernetes.io/zone' cannot be used together with"
            + " 'failover', which already ranks endpoints by region, zone and subzone",
        "loadBalancer: {localityLbSetting: {distribute: [{from: '*', to: {'us-west/*': 50}}]}}"
            + "|dr.yaml:7:69: spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to:"
            + " the weights must add up to 100, got [50]",
        "loadBalancer: {localityLbSetting: {failover: [{from: eu, to: eu}]}}"
            + "|dr.yaml:7:66: spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0].to:"
            + " failover 'to' must differ from 'from'",
        "tunnel: {protocol: CONNECT}"
            + "|dr.yaml:7:13: spec.trafficPolicy.tunnel: field 'tunnel' is valid in Istio but not"
            + " supported by Sextant yet",
        "outlierDetecton: {}"
            + "|dr.yaml:7:5: spec.trafficPolicy.outlierDetecton: unknown field 'outlierDetecton'"
            + " (did you mean 'outlierDetection'?); expected one of: loadBalancer, connectionPool,"
            + " outlierDetection, tls, portLevelSettings, proxyProtocol, tunnel",
      })
  void badPolicies_areLocatedErrors(String policy, String error) {
    assertThat(rule(policy).errors()).extracting(ConfigError::toString).containsExactly(error);
  }

  @Test
  void localitySettings_areRead() {
    LoadBalancer.LocalityLb l =
        read("""
                loadBalancer:
                  localityLbSetting:
                    distribute:
                    - from: us-east/*
                      to: {"us-east/*": 80, "us-west/*": 20}
                """)
            .trafficPolicy()
            .loadBalancer()
            .orElseThrow()
            .locality()
            .orElseThrow();
    assertThat(l.distribute())
        .containsExactly(
            new LoadBalancer.LocalityLb.Distribute(
                "us-east/*", java.util.Map.of("us-east/*", 80, "us-west/*", 20)));
    assertThat(rule("loadBalancer: {localityLbSetting: {enabled: false}}").errors()).isEmpty();
  }

  @Test
  void failoverPriority_isReadAsLabelKeysWithOptionalValues() {
    LoadBalancer.LocalityLb l =
        read("""
                outlierDetection: {consecutive5xxErrors: 3}
                loadBalancer:
                  localityLbSetting:
                    failover: [{from: us-east, to: eu}]
                    failoverPriority:
                    - version
                    - topology.kubernetes.io/region=us-east
                """)
            .trafficPolicy()
            .loadBalancer()
            .orElseThrow()
            .locality()
            .orElseThrow();
    assertThat(l.failoverPriority())
        .containsExactly(
            new LoadBalancer.LocalityLb.PriorityLabel("version", Optional.empty()),
            new LoadBalancer.LocalityLb.PriorityLabel(
                "topology.kubernetes.io/region", Optional.of("us-east")));
    assertThat(l.failover()).hasSize(1);
  }

  @Test
  void subsetPolicies_areValidatedToo() {
    LoadResult r =
        destinationRule(
            """
            subsets:
            - name: v1
              trafficPolicy:
                portLevelSettings:
                - port: {number: 80}
                  portLevelSettings: []
            """);
    assertThat(r.errors())
        .extracting(ConfigError::toString)
        .singleElement()
        .asString()
        .startsWith(
            "dr.yaml:11:9: spec.subsets[0].trafficPolicy.portLevelSettings[0].portLevelSettings:"
                + " unknown field");
  }

  @Test
  void portLevelSettings_samePortTwice_isAnError() {
    assertThat(
            rule("""
                    portLevelSettings:
                    - port: {number: 80}
                    - port: {number: 80}
                    """)
                .errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "dr.yaml:8:5: spec.trafficPolicy.portLevelSettings: port 80 has two port-level"
                + " settings");
  }
}
