package io.sextant.registry.kubernetes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a Kubernetes API server and what to watch there.
 *
 * @param kubeconfig a kubeconfig file; when empty, {@code KUBECONFIG}, {@code ~/.kube/config} or
 *     the in-cluster service account, in fabric8's usual order
 * @param context the kubeconfig context to use; empty for the current one
 * @param namespaces namespaces to watch; empty for all (subject to {@code namespaceSelector})
 * @param namespaceSelector labels a namespace must carry to be watched, like Istio's {@code
 *     discoverySelectors}; empty for no condition
 * @param clusterDomain the suffix of service hostnames, {@code NAME.NAMESPACE.svc.DOMAIN}
 * @param resyncInterval how often informers replay their cache (a replay that changes nothing
 *     pushes nothing); zero for never
 * @param staleAfter how long the watches may be down before the registry is marked stale
 */
public record KubernetesSettings(
    Optional<Path> kubeconfig,
    Optional<String> context,
    List<String> namespaces,
    Map<String, String> namespaceSelector,
    String clusterDomain,
    Duration resyncInterval,
    Duration staleAfter) {

  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(5);

  public KubernetesSettings {
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    Objects.requireNonNull(context, "context");
    namespaces = List.copyOf(namespaces);
    namespaceSelector = Map.copyOf(namespaceSelector);
    Objects.requireNonNull(clusterDomain, "clusterDomain");
    Objects.requireNonNull(resyncInterval, "resyncInterval");
    Objects.requireNonNull(staleAfter, "staleAfter");
  }

  /** Every namespace, the default kubeconfig, {@code cluster.local}. */
  public static KubernetesSettings defaults() {
    return new KubernetesSettings(
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Map.of(),
        "cluster.local",
        DEFAULT_RESYNC,
        DEFAULT_STALE_AFTER);
  }

  public KubernetesSettings withKubeconfig(Path file) {
    return new KubernetesSettings(
        Optional.of(file),
        context,
        namespaces,
        namespaceSelector,
        clusterDomain,
        resyncInterval,
        staleAfter);
  }

  public KubernetesSettings withNamespaces(List<String> list) {
    return new KubernetesSettings(
        kubeconfig, context, list, namespaceSelector, clusterDomain, resyncInterval, staleAfter);
  }

  public KubernetesSettings withNamespaceSelector(Map<String, String> selector) {
    return new KubernetesSettings(
        kubeconfig, context, namespaces, selector, clusterDomain, resyncInterval, staleAfter);
  }

  public KubernetesSettings withResyncInterval(Duration interval) {
    return new KubernetesSettings(
        kubeconfig, context, namespaces, namespaceSelector, clusterDomain, interval, staleAfter);
  }

  public KubernetesSettings withStaleAfter(Duration after) {
    return new KubernetesSettings(
        kubeconfig, context, namespaces, namespaceSelector, clusterDomain, resyncInterval, after);
  }
}
