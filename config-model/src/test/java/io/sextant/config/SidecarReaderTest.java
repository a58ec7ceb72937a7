package io.sextant.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.Sidecar.EgressHost;
import io.sextant.config.networking.Sidecar.OutboundTrafficPolicy;
import io.sextant.fixtures.Rules;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SidecarReaderTest {

  /** A Sidecar {@code shop/default} whose spec is {@code spec}; the spec starts on line 5. */
  private static LoadResult sidecar(String spec) {
    return ConfigLoader.parse("sc.yaml", Rules.sidecarYaml("shop", "default", spec));
  }

  private static Sidecar read(String spec) {
    LoadResult r = sidecar(spec);
    assertThat(r.errors()).isEmpty();
    return (Sidecar) r.resources().get(0);
  }

  private static List<String> errors(String spec) {
    return sidecar(spec).errors().stream().map(ConfigError::toString).toList();
  }

  @Test
  void everyField_isRead_andDotMeansTheSidecarsOwnNamespace() {
    Sidecar sidecar =
        read(
            """
            workloadSelector:
              labels: {app: productpage, version: v1}
            egress:
              - hosts:
                  - ./*
                  - istio-system/*
                  - "*/*.example.com"
                  - billing/payments.billing.svc.cluster.local
                  - ~/*
            outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            """);

    assertThat(sidecar.meta().qualifiedName()).isEqualTo("Sidecar shop/default");
    assertThat(sidecar.workloadSelector()).isEqualTo(Map.of("app", "productpage", "version", "v1"));
    assertThat(sidecar.egressHosts())
        .contains(
            List.of(
                new EgressHost("shop", "*"),
                new EgressHost("istio-system", "*"),
                new EgressHost("*", "*.example.com"),
                new EgressHost("billing", "payments.billing.svc.cluster.local"),
                new EgressHost("~", "*")));
    assertThat(sidecar.outboundTrafficPolicy()).contains(OutboundTrafficPolicy.REGISTRY_ONLY);
  }

  @Test
  void anEmptySpec_selectsTheWholeNamespace_importsEverything_andKeepsTheMeshPolicy() {
    Sidecar sidecar = read("{}");

    assertThat(sidecar.workloadSelector()).isEmpty();
    assertThat(sidecar.egressHosts()).isEmpty();
    assertThat(sidecar.imports("anywhere", "reviews.anywhere.svc.cluster.local")).isTrue();
    assertThat(sidecar.outboundTrafficPolicy()).isEmpty();
  }

  @Test
  void anEmptyEgressList_importsEverything_asInIstio() {
    assertThat(read("egress: []").egressHosts()).isEmpty();
  }

  @Test
  void importedHosts_areTheOnesListed() {
    Sidecar sidecar = read("egress:\n  - hosts: [./*, istio-system/istiod.istio-system.svc]");

    assertThat(sidecar.imports("shop", "reviews.shop.svc.cluster.local")).isTrue();
    assertThat(sidecar.imports("istio-system", "istiod.istio-system.svc")).isTrue();
    assertThat(sidecar.imports("billing", "payments.billing.svc.cluster.local")).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"ALLOW_ANY, ALLOW_ANY", "REGISTRY_ONLY, REGISTRY_ONLY"})
  void outboundTrafficPolicyModes_areRead(String mode, OutboundTrafficPolicy expected) {
    assertThat(read("outboundTrafficPolicy: {mode: " + mode + "}").outboundTrafficPolicy())
        .contains(expected);
  }

  @Test
  void outboundTrafficPolicyWithoutMode_isRegistryOnly_asIstiosEnumDefault() {
    assertThat(read("outboundTrafficPolicy: {}").outboundTrafficPolicy())
        .isEqualTo(Optional.of(OutboundTrafficPolicy.REGISTRY_ONLY));
  }

  @Test
  void aSidecarIsReadInEveryServedApiVersion() {
    for (String version : ConfigLoader.NETWORKING_API_VERSIONS) {
      LoadResult r =
          ConfigLoader.parse(
              "sc.yaml",
              Rules.sidecarYaml("shop", "default", "{}")
                  .replace("networking.istio.io/v1", version));
      assertThat(r.errors()).as(version).isEmpty();
      assertThat(r.resources()).singleElement().isInstanceOf(Sidecar.class);
    }
  }

  @Test
  void workloadSelector_needsLabels() {
    assertThat(errors("workloadSelector: {}"))
        .containsExactly(
            "sc.yaml:5:21: spec.workloadSelector.labels: at least one label is required to select"
                + " workloads");
    assertThat(errors("workloadSelector: {labels: {}}"))
        .containsExactly(
            "sc.yaml:5:30: spec.workloadSelector.labels: at least one label is required to select"
                + " workloads");
    assertThat(errors("workloadSelector: {matchLabels: {app: a}}"))
        .hasSize(2)
        .anyMatch(e -> e.startsWith("sc.yaml:5:21: spec.workloadSelector.labels: at least one"))
        .anyMatch(e -> e.startsWith("sc.yaml:5:22: spec.workloadSelector.matchLabels: unknown"));
  }

  @Test
  void unknownFields_areLocated_andNameTheFieldsExpected() {
    assertThat(errors("egres:\n  - hosts: [./*]"))
        .containsExactly(
            "sc.yaml:5:3: spec.egres: unknown field 'egres' (did you mean 'egress'?); expected one"
                + " of: workloadSelector, egress, outboundTrafficPolicy, ingress,"
                + " inboundConnectionPool");
    assertThat(errors("egress:\n  - hosts: [./*]\n    hots: [./*]"))
        .singleElement()
        .asString()
        .startsWith(
            "sc.yaml:7:7: spec.egress[0].hots: unknown field 'hots' (did you mean 'hosts'?)");
  }

  @Test
  void ingressAndInboundConnectionPool_areNotSupportedYet() {
    assertThat(
            errors(
                """
                ingress:
                  - port: {number: 9080, protocol: HTTP, name: http}
                    defaultEndpoint: 127.0.0.1:8080
                inboundConnectionPool:
                  http: {http1MaxPendingRequests: 10}
                """))
        .containsExactly(
            "sc.yaml:6:5: spec.ingress: field 'ingress' is valid in Istio but not supported by"
                + " Sextant yet",
            "sc.yaml:9:5: spec.inboundConnectionPool: field 'inboundConnectionPool' is valid in"
                + " Istio but not supported by Sextant yet");
  }

  @Test
  void egressProxy_isNotSupportedYet() {
    assertThat(
            errors(
                """
                outboundTrafficPolicy:
                  mode: ALLOW_ANY
                  egressProxy: {host: egress.example.com, port: {number: 443}}
                """))
        .containsExactly(
            "sc.yaml:7:18: spec.outboundTrafficPolicy.egressProxy: field 'egressProxy' is valid in"
                + " Istio but not supported by Sextant yet");
  }

  @Test
  void badMode_isAnError() {
    assertThat(errors("outboundTrafficPolicy: {mode: allow_any}"))
        .containsExactly(
            "sc.yaml:5:33: spec.outboundTrafficPolicy.mode: expected one of ALLOW_ANY,"
                + " REGISTRY_ONLY, got 'allow_any'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"port: {number: 9080, protocol: HTTP, name: http}", "bind: 127.0.0.1"})
  void perPortEgressFields_areNotSupportedYet(String field) {
    String key = field.substring(0, field.indexOf(':'));
    assertThat(errors("egress:\n  - hosts: [./*]\n    " + field))
        .singleElement()
        .asString()
        .startsWith("sc.yaml:7:")
        .contains(
            "spec.egress[0]."
                + key
                + ": per-port egress listeners are not supported by Sextant yet; remove '"
                + key
                + "'");
  }

  @Test
  void captureMode_isNotSupportedYet() {
    assertThat(errors("egress:\n  - hosts: [./*]\n    captureMode: NONE"))
        .containsExactly(
            "sc.yaml:7:20: spec.egress[0].captureMode: per-port egress listeners are not supported"
                + " by Sextant yet; remove 'captureMode' and list the hosts only");
  }

  @Test
  void aSecondEgressEntry_isNotSupportedYet() {
    assertThat(errors("egress:\n  - hosts: [./*]\n  - hosts: [istio-system/*]"))
        .containsExactly(
            "sc.yaml:7:7: spec.egress[1]: per-port egress listeners are not supported by Sextant"
                + " yet; list every host in the first egress entry");
  }

  @Test
  void hosts_areRequired_andMustNotBeEmpty() {
    assertThat(errors("egress:\n  - {}"))
        .containsExactly("sc.yaml:6:7: spec.egress[0].hosts: missing required field 'hosts'");
    assertThat(errors("egress:\n  - hosts: []"))
        .containsExactly(
            "sc.yaml:6:14: spec.egress[0].hosts: at least one host is required, such as './*' or"
                + " 'istio-system/*'");
  }

  @Test
  void aShortHostName_isAnError_thatShowsTheFullyQualifiedForm() {
    assertThat(
            errors("egress:\n  - hosts:\n      - ./*\n      - ./reviews\n      - billing/payments"))
        .containsExactly(
            "sc.yaml:8:11: spec.egress[0].hosts[1]: 'reviews' is a short name; Istio matches"
                + " Sidecar hosts literally, so it would never match a service: write the fully"
                + " qualified name, e.g. './reviews.shop.svc.cluster.local'",
            "sc.yaml:9:11: spec.egress[0].hosts[2]: 'payments' is a short name; Istio matches"
                + " Sidecar hosts literally, so it would never match a service: write the fully"
                + " qualified name, e.g. 'billing/payments.billing.svc.cluster.local'");
  }

  @Test
  void aHostWithoutNamespace_isAnError() {
    assertThat(errors("egress:\n  - hosts: [reviews.shop.svc.cluster.local]"))
        .containsExactly(
            "sc.yaml:6:15: spec.egress[0].hosts[0]: host must be of form namespace/dnsName, got"
                + " 'reviews.shop.svc.cluster.local'; for example"
                + " './reviews.shop.svc.cluster.local' for the Sidecar's own namespace or"
                + " '*/reviews.shop.svc.cluster.local' for any namespace");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "Shop/*          | expected a namespace name, '*', '.' or '~' before the '/' in 'Shop/*'",
        "/*              | expected a namespace name, '*', '.' or '~' before the '/' in '/*'",
        "./              | expected '*', '*.SUFFIX' or a fully qualified hostname after the '/' in"
            + " './'",
        "./a/b.example.com | expected '*', '*.SUFFIX' or a fully qualified hostname after the '/'"
            + " in './a/b.example.com'",
        "./foo.*         | expected '*', '*.SUFFIX' or a fully qualified hostname after the '/' in"
            + " './foo.*'",
        "./Reviews.shop  | expected '*', '*.SUFFIX' or a fully qualified hostname after the '/' in"
            + " './Reviews.shop'",
      })
  void badHostEntries_areLocatedErrors(String host, String message) {
    assertThat(errors("egress:\n  - hosts: ['" + host + "']"))
        .containsExactly("sc.yaml:6:15: spec.egress[0].hosts[0]: " + message);
  }

  @Test
  void aHostThatIsNotAString_isReportedOnce() {
    assertThat(errors("egress:\n  - hosts: [./*, ~, {a: b}]"))
        .containsExactly(
            "sc.yaml:6:20: spec.egress[0].hosts[1]: expected a string, got null",
            "sc.yaml:6:23: spec.egress[0].hosts[2]: expected a string, got a mapping");
  }

  @Test
  void oneBadHost_rejectsTheSidecar() {
    LoadResult r = sidecar("egress:\n  - hosts: [./*, ./reviews]");

    assertThat(r.resources()).isEmpty();
    assertThat(r.errors()).hasSize(1);
  }
}
