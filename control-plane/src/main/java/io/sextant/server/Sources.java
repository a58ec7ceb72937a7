package io.sextant.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sextant.registry.AliasedRegistry;
import io.sextant.registry.RuleResourceSource;
import io.sextant.registry.RuleSource;
import io.sextant.registry.ServiceEntryRegistry;
import io.sextant.registry.ServiceRegistry;
import io.sextant.registry.consul.ConsulRegistry;
import io.sextant.registry.file.FileSources;
import io.sextant.registry.kubernetes.CustomResourceFeed;
import io.sextant.registry.kubernetes.CustomResourceGroup;
import io.sextant.registry.kubernetes.KubernetesClients;
import io.sextant.registry.kubernetes.KubernetesRegistry;
import io.sextant.registry.kubernetes.KubernetesSettings;
import io.sextant.registry.xds.ProxyRegistry;
import io.sextant.registry.zookeeper.ZooKeeperRegistry;
import io.sextant.server.config.SextantConfig;
import java.util.List;

/** Builds the registries and rule sources that {@code sextant.yaml} lists. */
final class Sources {
  /** The custom resource kinds a {@code kubernetes} rule source watches. */
  static final List<CustomResourceGroup> RULE_GROUPS =
      List.of(
          CustomResourceGroup.istio("VirtualService", "DestinationRule", "Sidecar"),
          CustomResourceGroup.sextant());

  /** The suffix of the registry that serves a Kubernetes registry's ServiceEntry resources. */
  static final String SERVICE_ENTRIES_SUFFIX = "-serviceentries";

  private Sources() {}

  /**
   * The registries one entry stands for. A {@code kubernetes} entry is two: its Services, and the
   * {@code ServiceEntry} custom resources of the same cluster (named {@code NAME-serviceentries}),
   * in that order, so a Kubernetes Service wins over a ServiceEntry for the same host.
   */
  static List<ServiceRegistry> registries(SextantConfig.Source s) {
    List<ServiceRegistry> built = unaliased(s);
    return s.aliases().isEmpty()
        ? built
        : built.stream().map(r -> (ServiceRegistry) new AliasedRegistry(r, s.aliases())).toList();
  }

  /** The registry a registry entry stands for, unwrapped from its aliases. */
  static ServiceRegistry unwrap(ServiceRegistry r) {
    return r instanceof AliasedRegistry a ? a.inner() : r;
  }

  private static List<ServiceRegistry> unaliased(SextantConfig.Source s) {
    switch (s.type()) {
      case "xds":
        return List.of(new ProxyRegistry(s.name(), s.xdsGracePeriod().orElseThrow()));
      case "consul":
        return List.of(new ConsulRegistry(s.name(), s.consul().orElseThrow()));
      case "zookeeper":
        return List.of(new ZooKeeperRegistry(s.name(), s.zookeeper().orElseThrow()));
      case "kubernetes":
        break;
      default:
        return List.of(FileSources.registry(s.name(), s.paths(), s.rescanInterval()));
    }
    KubernetesSettings settings = s.kubernetes().orElseThrow();
    KubernetesClient client = KubernetesClients.create(settings);
    String entries = s.name() + SERVICE_ENTRIES_SUFFIX;
    return List.of(
        new KubernetesRegistry(s.name(), client, true, settings),
        new ServiceEntryRegistry(
            entries,
            "kubernetes",
            sink ->
                new CustomResourceFeed(
                    entries,
                    client,
                    false,
                    settings,
                    List.of(CustomResourceGroup.istio("ServiceEntry")),
                    sink)));
  }

  static RuleSource rules(SextantConfig.Source s) {
    if (!s.type().equals("kubernetes")) {
      return FileSources.rules(s.name(), s.paths(), s.rescanInterval());
    }
    KubernetesSettings settings = s.kubernetes().orElseThrow();
    return new RuleResourceSource(
        s.name(),
        "kubernetes",
        sink ->
            new CustomResourceFeed(
                s.name(), KubernetesClients.create(settings), true, settings, RULE_GROUPS, sink));
  }
}
