package io.sextant.model;

import java.util.Objects;

/**
 * Mesh-wide settings that change how names are read and built.
 *
 * @param clusterDomain the Kubernetes cluster domain used to qualify short names
 */
public record MeshSettings(String clusterDomain) {
  public static final MeshSettings DEFAULT = new MeshSettings("cluster.local");

  public MeshSettings {
    Objects.requireNonNull(clusterDomain, "clusterDomain");
  }

  public String qualify(String host, String namespace) {
    return Hostnames.qualify(host, namespace, clusterDomain);
  }
}
