package io.sextant.registry.kubernetes;

import static io.sextant.registry.kubernetes.KubeObjects.port;
import static io.sextant.registry.kubernetes.KubeObjects.ready;
import static io.sextant.registry.kubernetes.KubeObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sextant.model.Endpoint;
import io.sextant.model.MeshService;
import io.sextant.registry.Poll;
import io.sextant.registry.RecordingListener;
import io.sextant.registry.RuleResourceSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Against the real API server that {@code KUBECONFIG} names, when it is set; skipped otherwise. It
 * works in a namespace of its own ({@code sextant-test-RANDOM}, deleted afterwards) and creates no
 * Pods: its EndpointSlices point at made-up addresses, so nothing is scheduled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealApiServerTest {
  private final String namespace = "sextant-test-" + UUID.randomUUID().toString().substring(0, 8);
  private KubernetesClient k8s;
  private KubernetesSettings settings;

  private static final String SKIPPED =
      "KUBECONFIG is not set: the real API server tests are skipped (the mock API server tests"
          + " cover the same behaviour)";

  @BeforeAll
  void connect() {
    String kubeconfig = System.getenv("KUBECONFIG");
    if (kubeconfig == null || kubeconfig.isBlank()) {
      System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + SKIPPED);
      return;
    }
    settings =
        KubernetesSettings.defaults()
            .withNamespaces(List.of(namespace))
            .withKubeconfig(Path.of(kubeconfig.split(java.io.File.pathSeparator)[0]));
    k8s = KubernetesClients.create(settings);
    k8s.namespaces().resource(KubeObjects.namespace(namespace, Map.of())).create();
  }

  @BeforeEach
  void skipWithoutKubeconfig() {
    assumeTrue(k8s != null, SKIPPED);
  }

  @AfterAll
  void cleanUp() {
    if (k8s != null) {
      k8s.namespaces().withName(namespace).delete();
      k8s.close();
    }
  }

  @Test
  void servicesAndSlices_areDiscovered_andScalingIsFollowed() {
    k8s.services()
        .resource(
            new ServiceBuilder(KubeObjects.service(namespace, "echo", port("http", 8080, 8080)))
                .editSpec()
                .withClusterIP(null)
                .endSpec()
                .build())
        .create();
    k8s.discovery()
        .v1()
        .endpointSlices()
        .resource(
            slice(
                namespace,
                "echo",
                "echo-manual",
                "http",
                8080,
                List.of(ready("10.255.0.1", null, null))))
        .create();
    try (KubernetesRegistry registry =
        new KubernetesRegistry("real", KubernetesClients.create(settings), true, settings)) {
      registry.start(new RecordingListener());
      Poll.until(() -> assertThat(registry.hasSynced()).isTrue());
      String host = "echo." + namespace + ".svc.cluster.local";
      Poll.until(() -> assertThat(addresses(registry, host)).containsExactly("10.255.0.1"));

      k8s.discovery()
          .v1()
          .endpointSlices()
          .resource(
              slice(
                  namespace,
                  "echo",
                  "echo-manual",
                  "http",
                  8080,
                  List.of(ready("10.255.0.1", null, null), ready("10.255.0.2", null, null))))
          .update();
      Poll.until(
          () -> assertThat(addresses(registry, host)).containsExactly("10.255.0.1", "10.255.0.2"));
      assertThat(registry.status().stale()).isFalse();
    }
  }

  @Test
  void virtualServiceCustomResources_areRead_whenIstiosGroupIsServed() {
    assumeTrue(
        CustomResourceFeed.discoverVersion(k8s, CustomResourceGroup.istio("VirtualService"))
            .isPresent(),
        "networking.istio.io is not served by this cluster; install charts/sextant/crds/ to run"
            + " this test");
    IstioCrds.apply(
        k8s,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: echo, namespace: %s}
        spec:
          hosts: [echo]
          http:
            - route:
                - destination: {host: echo}
        """
            .formatted(namespace));
    try (RuleResourceSource rules =
        new RuleResourceSource(
            "real-rules",
            "kubernetes",
            sink ->
                new CustomResourceFeed(
                    "real-rules",
                    KubernetesClients.create(settings),
                    true,
                    settings,
                    List.of(CustomResourceGroup.istio("VirtualService")),
                    sink))) {
      rules.start((source, set) -> {});
      Poll.until(
          () ->
              assertThat(rules.rules().virtualServices())
                  .extracting(vs -> vs.meta().name())
                  .containsExactly("echo"));
    }
  }

  private static List<String> addresses(KubernetesRegistry registry, String host) {
    Optional<MeshService> s =
        registry.services().stream().filter(m -> m.hostname().equals(host)).findFirst();
    return s.map(m -> m.endpoints().stream().map(Endpoint::address).toList()).orElse(List.of());
  }
}
