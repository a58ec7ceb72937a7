package io.sextant.model;

import java.util.Objects;

/**
 * Mesh-wide settings that change how names are read and built.
 *
 * @param clusterDomain the Kubernetes cluster domain used to qualify short names
 * @param rootNamespace the namespace whose selector-less {@code Sidecar} is the mesh-wide default
 *     (Istio's {@code meshConfig.rootNamespace})
 */
public record MeshSettings(String clusterDomain, String rootNamespace) {
  public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";
  public static final MeshSettings DEFAULT = new MeshSettings("cluster.local");

  public MeshSettings {
    Objects.requireNonNull(clusterDomain, "clusterDomain");
    Objects.requireNonNull(rootNamespace, "rootNamespace");
  }

  /** Settings with Istio's root namespace, {@value #DEFAULT_ROOT_NAMESPACE}. */
  public MeshSettings(String clusterDomain) {
    this(clusterDomain, DEFAULT_ROOT_NAMESPACE);
  }

  public String qualify(String host, String namespace) {
    return Hostnames.qualify(host, namespace, clusterDomain);
  }
}
