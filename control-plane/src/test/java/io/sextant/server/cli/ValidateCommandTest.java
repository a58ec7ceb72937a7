package io.sextant.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  private static final String REVIEWS =
      """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews.shop.svc.cluster.local]
          ports: [{number: 9080, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints: [{address: 10.0.0.1}]
      """;

  @TempDir Path dir;

  @Test
  void theQuickstartRules_validateClean_againstItsConfig() {
    Cli.Outcome o =
        Cli.run(
            "validate",
            "--config",
            "../examples/quickstart/sextant.yaml",
            "../examples/quickstart/rules");

    assertThat(o.exitCode()).as(o.out() + o.err()).isZero();
    assertThat(o.out()).isEmpty();
    assertThat(o.err()).contains("0 errors, 0 warnings");
  }

  @Test
  void everyProblem_isPrintedLocated_andAnyErrorExitsNonZero() throws IOException {
    Files.writeString(
        dir.resolve("services.yaml"),
        REVIEWS
            + """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          subsets: [{name: v1, labels: {version: v1}}]
        """);
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(
        rules,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          http:
            - route:
                - destination: {host: reviews, subset: v1}
                  weight: 60
                - destination: {host: reviews, subset: v3}
                  weight: 60
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings, namespace: shop}
        spec:
          hosts: [ratings]
          http:
            - route:
                - destination: {host: ratings}
        """);
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(
        broken,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details, namespace: shop}
        spec:
          hosts: [details]
          htp: []
        """);

    Cli.Outcome o = Cli.run("validate", dir.toString());

    assertThat(o.exitCode()).isEqualTo(1);
    assertThat(o.out().lines())
        .anySatisfy(
            l -> assertThat(l).startsWith(broken + ":6:3: error: spec.htp: unknown field 'htp'"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(rules + ":7:")
                    .contains(": error: destination reviews.shop.svc.cluster.local subset 'v3'")
                    .contains("(defined: v1)"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(rules + ":7:")
                    .contains(": warning: route weights add up to 120, not 100"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(
                        ": warning: VirtualService shop/ratings: host ratings.shop.svc.cluster.local is not known"));
    assertThat(o.out()).doesNotContain("host reviews.shop.svc.cluster.local is not known");
    assertThat(o.err()).contains("2 errors, 3 warnings");
  }

  @Test
  void sidecars_areAccepted_andBadOnesArePrintedLocated() throws IOException {
    Path good = dir.resolve("sidecar.yaml");
    Files.writeString(
        good,
        """
        apiVersion: networking.istio.io/v1beta1
        kind: Sidecar
        metadata: {name: default, namespace: shop}
        spec:
          workloadSelector: {labels: {app: productpage}}
          egress:
            - hosts: [./*, istio-system/*]
          outboundTrafficPolicy: {mode: REGISTRY_ONLY}
        """);

    Cli.Outcome clean = Cli.run("validate", good.toString());

    assertThat(clean.exitCode()).as(clean.out() + clean.err()).isZero();
    assertThat(clean.err()).contains("1 resources, 0 errors, 0 warnings");

    Path bad = dir.resolve("bad-sidecar.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: shop}
        spec:
          egress:
            - hosts: [./*, ./reviews, reviews.shop.svc.cluster.local]
            - hosts: [istio-system/*]
          ingress: []
        """);

    Cli.Outcome o = Cli.run("validate", bad.toString());

    assertThat(o.exitCode()).isEqualTo(1);
    assertThat(o.out().lines())
        .containsExactly(
            bad
                + ":7:7: error: spec.egress[1]: per-port egress listeners are not supported by"
                + " Sextant yet; list every host in the first egress entry",
            bad
                + ":6:20: error: spec.egress[0].hosts[1]: 'reviews' is a short name; Istio matches"
                + " Sidecar hosts literally, so it would never match a service: write the fully"
                + " qualified name, e.g. './reviews.shop.svc.cluster.local'",
            bad
                + ":6:31: error: spec.egress[0].hosts[2]: host must be of form namespace/dnsName,"
                + " got 'reviews.shop.svc.cluster.local'; for example"
                + " './reviews.shop.svc.cluster.local' for the Sidecar's own namespace or"
                + " '*/reviews.shop.svc.cluster.local' for any namespace",
            bad
                + ":8:12: error: spec.ingress: field 'ingress' is valid in Istio but not supported"
                + " by Sextant yet");
  }

  @Test
  void trafficPolicyProblems_arePrintedLocated() throws IOException {
    Path rule = dir.resolve("dr.yaml");
    Files.writeString(
        rule,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer: {simple: RANDOM, consistentHash: {httpHeaderName: x-user}}
            outlierDetection: {maxEjectionPercent: 150}
            tls: {mode: ISTIO_MUTUAL}
        """);

    Cli.Outcome o = Cli.run("validate", rule.toString());

    assertThat(o.exitCode()).isEqualTo(1);
    assertThat(o.out().lines())
        .containsExactly(
            rule
                + ":7:52: error: spec.trafficPolicy.loadBalancer.consistentHash: set only one of"
                + " 'simple' and 'consistentHash'",
            rule
                + ":8:44: error: spec.trafficPolicy.outlierDetection.maxEjectionPercent: expected"
                + " an integer from 0 to 100, got 150",
            rule
                + ":9:17: error: spec.trafficPolicy.tls.mode: ISTIO_MUTUAL needs the mesh's own"
                + " certificates, which come with Sextant's security work; use MUTUAL with"
                + " certificate files, or SIMPLE");
  }

  @Test
  void faultCorsAndRateLimitProblems_arePrintedLocated() throws IOException {
    Files.writeString(dir.resolve("services.yaml"), REVIEWS);
    Path fault = dir.resolve("fault.yaml");
    Files.writeString(
        fault,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          http:
          - route: [{destination: {host: reviews}}]
            fault:
              abort: {httpStatus: 503, percentage: {value: 150}}
            corsPolicy:
              allowOrigins: [{suffix: .example.com}]
        """);
    Path limits = dir.resolve("limits.yaml");
    Files.writeString(
        limits,
        """
        apiVersion: sextant.io/v1alpha1
        kind: RateLimit
        metadata: {name: ghost, namespace: shop}
        spec:
          host: ghost
          tokensPerFill: 10
          fillInterval: 1s
        ---
        apiVersion: sextant.io/v1alpha1
        kind: RateLimit
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          tokensPerFill: 10
          fillInterval: 1s
        """);
    Path badLimit = dir.resolve("bad-limit.yaml");
    Files.writeString(
        badLimit,
        """
        apiVersion: sextant.io/v1alpha1
        kind: RateLimit
        metadata: {name: reviews-status, namespace: shop}
        spec:
          host: reviews
          tokensPerFill: 10
          fillInterval: 1s
          statusCode: 200
        """);

    Cli.Outcome o = Cli.run("validate", dir.toString());

    assertThat(o.exitCode()).isEqualTo(1);
    assertThat(o.out().lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        fault
                            + ":9:52: error: spec.http[0].fault.abort.percentage.value: expected a"
                            + " number from 0 to 100, got 150"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        fault
                            + ":11:23: error: spec.http[0].corsPolicy.allowOrigins[0].suffix:"
                            + " unknown field 'suffix'"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        badLimit
                            + ":8:15: error: spec.statusCode: expected an integer from 400 to 599,"
                            + " got 200"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .isEqualTo(
                        limits
                            + ":1:1: warning: RateLimit shop/ghost: host"
                            + " ghost.shop.svc.cluster.local is not known to any registry"));
    assertThat(o.out()).doesNotContain("host reviews.shop.svc.cluster.local is not known");
  }

  @Test
  void aMissingPath_isAnError() {
    Cli.Outcome o = Cli.run("validate", dir.resolve("nope.yaml").toString());

    assertThat(o.exitCode()).isEqualTo(1);
    assertThat(o.out()).contains("nope.yaml:1:1: error: no such file or directory");
  }
}
