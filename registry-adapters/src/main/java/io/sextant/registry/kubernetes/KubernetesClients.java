package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Builds the fabric8 client a {@link KubernetesSettings} describes. */
public final class KubernetesClients {
  private KubernetesClients() {}

  /**
   * In cluster, the service account; outside, the kubeconfig named by the settings, else {@code
   * KUBECONFIG}, else {@code ~/.kube/config}. A context in the settings selects one of the file's
   * contexts.
   */
  public static KubernetesClient create(KubernetesSettings settings) {
    Config config;
    if (settings.kubeconfig().isPresent()) {
      String text;
      try {
        text = Files.readString(settings.kubeconfig().get());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read kubeconfig " + settings.kubeconfig().get(), e);
      }
      config =
          Config.fromKubeconfig(
              settings.context().orElse(null), text, settings.kubeconfig().get().toString());
    } else {
      config = Config.autoConfigure(settings.context().orElse(null));
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
