package io.sextant.registry.file;

import static io.sextant.registry.file.ConfigFiles.serviceEntry;
import static io.sextant.registry.file.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.ConfigError;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Sidecar.EgressHost;
import io.sextant.config.networking.Sidecar.OutboundTrafficPolicy;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.VirtualService;
import io.sextant.config.sextant.RateLimit;
import io.sextant.fixtures.Rules;
import io.sextant.registry.CapturedLog;
import io.sextant.registry.Poll;
import io.sextant.registry.RuleResourceSource;
import io.sextant.registry.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRuleSourceTest {
  private static final String VIRTUAL_SERVICE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews.local]
        http:
        - route:
          - destination: {host: reviews.local, subset: v1}
      """;

  @TempDir Path dir;
  private final List<String> deliveredBy = new CopyOnWriteArrayList<>();
  private final List<RuleSet> delivered = new CopyOnWriteArrayList<>();
  private RuleResourceSource source;

  @AfterEach
  void close() {
    source.close();
  }

  private void start() {
    source = FileSources.rules("rules", List.of(dir), Duration.ofHours(1));
    source.start(
        (name, rules) -> {
          deliveredBy.add(name);
          delivered.add(rules);
        });
  }

  private static String destinationRule(String... subsets) {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews.local
              subsets:
            """);
    for (String subset : subsets) {
      yaml.append("  - {name: ").append(subset).append(", labels: {version: ");
      yaml.append(subset).append("}}\n");
    }
    return yaml.toString();
  }

  private List<String> subsets() {
    return source.rules().destinationRules().stream()
        .flatMap(dr -> dr.subsets().stream())
        .map(Subset::name)
        .toList();
  }

  @Test
  void virtualServicesAndDestinationRules_areDeliveredBeforeStartReturns() {
    write(dir.resolve("vs.yaml"), VIRTUAL_SERVICE);
    write(dir.resolve("dr.yaml"), destinationRule("v1", "v2"));

    start();

    assertThat(source.hasSynced()).isTrue();
    assertThat(deliveredBy).containsExactly("rules");
    RuleSet rules = delivered.get(0);
    assertThat(rules.virtualServices())
        .extracting(VirtualService::hosts)
        .containsExactly(List.of("reviews.local"));
    assertThat(rules.destinationRules())
        .extracting(DestinationRule::host)
        .containsExactly("reviews.local");
    assertThat(rules).isEqualTo(source.rules());
  }

  @Test
  void rateLimits_areDeliveredWithTheRoutingRules() {
    write(dir.resolve("vs.yaml"), VIRTUAL_SERVICE);
    write(
        dir.resolve("limit.yaml"),
        """
        apiVersion: sextant.io/v1alpha1
        kind: RateLimit
        metadata: {name: reviews-limit}
        spec:
          host: reviews.local
          tokensPerFill: 10
          fillInterval: 1s
        """);

    start();

    RuleSet rules = delivered.get(0);
    assertThat(rules.virtualServices()).hasSize(1);
    assertThat(rules.rateLimits())
        .extracting(RateLimit::host, RateLimit::tokensPerFill)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("reviews.local", 10));
  }

  @Test
  void sidecars_areDeliveredWithTheRoutingRules() {
    write(dir.resolve("vs.yaml"), VIRTUAL_SERVICE);
    write(
        dir.resolve("sidecar.yaml"),
        Rules.sidecarYaml(
            "shop",
            "default",
            "egress: [{hosts: [./*, istio-system/*]}]\n"
                + "outboundTrafficPolicy: {mode: REGISTRY_ONLY}"));

    start();

    RuleSet rules = delivered.get(0);
    assertThat(rules.virtualServices()).hasSize(1);
    assertThat(rules.sidecars())
        .singleElement()
        .satisfies(
            sc -> {
              assertThat(sc.meta().qualifiedName()).isEqualTo("Sidecar shop/default");
              assertThat(sc.egressHosts())
                  .contains(
                      List.of(new EgressHost("shop", "*"), new EgressHost("istio-system", "*")));
              assertThat(sc.outboundTrafficPolicy()).contains(OutboundTrafficPolicy.REGISTRY_ONLY);
            });
  }

  @Test
  void badFile_keepsThePreviousRules_andTheNextGoodWriteReplacesThem() {
    Path file = write(dir.resolve("dr.yaml"), destinationRule("v1"));
    start();

    write(file, destinationRule("v1").replace("subsets", "subset"));
    Poll.until(
        () ->
            assertThat(source.status().errors())
                .extracting(ConfigError::toString)
                .anySatisfy(
                    e -> assertThat(e).startsWith(file + ":6:3: spec.subset: unknown field")));
    assertThat(subsets()).containsExactly("v1");
    assertThat(delivered).hasSize(1);

    write(file, destinationRule("v1", "v2"));
    Poll.until(
        () -> {
          assertThat(subsets()).containsExactly("v1", "v2");
          assertThat(source.status().errors()).isEmpty();
        });
    assertThat(delivered.get(delivered.size() - 1)).isEqualTo(source.rules());
  }

  @Test
  void serviceEntryInARuleFile_isIgnored_andChangingItDeliversNothing() {
    Path services = write(dir.resolve("services.yaml"), serviceEntry("reviews", "reviews.local"));
    write(dir.resolve("vs.yaml"), VIRTUAL_SERVICE);
    try (CapturedLog log = CapturedLog.of(ConfigFileWatcher.class)) {
      start();

      write(services, serviceEntry("reviews", "reviews.local", "10.0.0.1"));
      Poll.until(
          () ->
              assertThat(log.messages())
                  .filteredOn(m -> m.contains("loaded " + services))
                  .hasSize(2));
      // Deliveries are sequential: once this later change arrives, the edit was handled.
      write(dir.resolve("dr.yaml"), destinationRule("v1"));
      Poll.until(() -> assertThat(subsets()).containsExactly("v1"));
    }

    assertThat(delivered).hasSize(2);
    assertThat(source.rules().virtualServices()).hasSize(1);
    assertThat(source.status().errors()).isEmpty();
  }
}
