package io.sextant.bench.mesh;

import java.util.Locale;

/** Which services the proxies of a generated mesh import, through Istio {@code Sidecar}s. */
public enum SidecarScope {
  /** No Sidecar: every proxy imports every service, so every change concerns every proxy. */
  NONE,
  /**
   * One Sidecar per namespace, named {@code default}, with egress hosts {@code ./*}: a proxy
   * imports only its own namespace's services, so a change concerns only the proxies of that
   * namespace.
   */
  NAMESPACE;

  /** The command-line spelling: {@code none} or {@code namespace}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static SidecarScope of(String label) {
    for (SidecarScope s : values()) {
      if (s.label().equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown Sidecar scope '" + label + "'; expected none or namespace");
  }
}
