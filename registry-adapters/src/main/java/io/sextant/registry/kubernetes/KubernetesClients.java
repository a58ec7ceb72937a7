package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
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
    return create(config);
  }

  /**
   * A client for {@code config}. A plaintext {@code http://} server is spoken to in HTTP/1.1: the
   * JDK client would otherwise try an {@code h2c} upgrade, and some servers (fabric8's mock among
   * them) accept the upgrade and then leave the request hanging. Over TLS, HTTP/2 is negotiated as
   * usual.
   */
  public static KubernetesClient create(Config config) {
    boolean plaintext = config.getMasterUrl() != null && config.getMasterUrl().startsWith("http:");
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(plaintext ? new Http11ClientFactory() : new JdkHttpClientFactory())
        .build();
  }

  private static final class Http11ClientFactory extends JdkHttpClientFactory {
    @Override
    protected void additionalConfig(HttpClient.Builder builder) {
      builder.version(HttpClient.Version.HTTP_1_1);
    }
  }
}
