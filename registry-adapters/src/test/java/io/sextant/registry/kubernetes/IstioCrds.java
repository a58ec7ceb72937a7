package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CRD manifests shipped in {@code charts/sextant/crds/} (Istio's networking kinds and Sextant's
 * RateLimit), and objects of their kinds.
 */
public final class IstioCrds {
  private IstioCrds() {}

  /** The chart's CRD directory, found from the module directory Maven runs tests in. */
  public static Path directory() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      Path crds = p.resolve("charts/sextant/crds");
      if (Files.isDirectory(crds)) {
        return crds;
      }
    }
    throw new IllegalStateException("charts/sextant/crds not found above " + here);
  }

  public static List<CustomResourceDefinition> load() {
    try (Stream<Path> files = Files.list(directory())) {
      return files
          .filter(f -> f.toString().endsWith(".yaml"))
          .sorted()
          .map(IstioCrds::read)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CustomResourceDefinition read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Installs every shipped CRD, as {@code kubectl apply -f charts/sextant/crds/} would. */
  public static void install(KubernetesClient client) {
    for (CustomResourceDefinition crd : load()) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /** Installs the shipped CRDs of one API group only, such as {@code networking.istio.io}. */
  public static void install(KubernetesClient client, String group) {
    for (CustomResourceDefinition crd : load()) {
      if (crd.getSpec().getGroup().equals(group)) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    }
  }

  /** Applies {@code yaml} (one Istio object) through the generic API, as {@code kubectl apply}. */
  public static GenericKubernetesResource apply(KubernetesClient client, String yaml) {
    GenericKubernetesResource object =
        Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    String[] groupVersion = object.getApiVersion().split("/");
    String kind = object.getKind();
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(groupVersion[0])
            .withVersion(groupVersion[1])
            .withKind(kind)
            .withPlural(crd(kind).getSpec().getNames().getPlural())
            .withNamespaced(true)
            .build();
    return client
        .genericKubernetesResources(context)
        .inNamespace(object.getMetadata().getNamespace())
        .resource(object)
        .createOr(existing -> existing.update());
  }

  /** Deletes the object {@code kind namespace/name}. */
  public static void delete(KubernetesClient client, String kind, String namespace, String name) {
    CustomResourceDefinition crd = crd(kind);
    client
        .genericKubernetesResources(
            new ResourceDefinitionContext.Builder()
                .withGroup(crd.getSpec().getGroup())
                .withVersion(crd.getSpec().getVersions().get(0).getName())
                .withKind(kind)
                .withPlural(crd.getSpec().getNames().getPlural())
                .withNamespaced(true)
                .build())
        .inNamespace(namespace)
        .withName(name)
        .delete();
  }

  private static CustomResourceDefinition crd(String kind) {
    return load().stream()
        .filter(c -> c.getSpec().getNames().getKind().equals(kind))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no CRD shipped for " + kind));
  }
}
