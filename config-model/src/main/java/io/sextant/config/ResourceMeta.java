package io.sextant.config;

import java.util.Map;
import java.util.Objects;

/**
 * The Kubernetes-style header of an Istio resource.
 *
 * @param apiVersion as written, e.g. {@code networking.istio.io/v1}
 * @param kind e.g. {@code VirtualService}
 * @param name metadata.name
 * @param namespace metadata.namespace, {@value #DEFAULT_NAMESPACE} when absent
 * @param labels metadata.labels
 * @param location where the document starts
 */
public record ResourceMeta(
    String apiVersion,
    String kind,
    String name,
    String namespace,
    Map<String, String> labels,
    SourceLocation location) {
  public static final String DEFAULT_NAMESPACE = "default";

  public ResourceMeta {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(location, "location");
  }

  /** {@code kind namespace/name}, how resources are named in logs. */
  public String qualifiedName() {
    return kind + " " + namespace + "/" + name;
  }
}
