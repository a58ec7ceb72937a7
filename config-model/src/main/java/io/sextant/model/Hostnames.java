package io.sextant.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Hostname rules shared by registries, rules and the translator (Istio's semantics). */
public final class Hostnames {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private Hostnames() {}

  /**
   * Istio's short-name resolution: a host without a dot is a Kubernetes service name in the rule's
   * namespace, {@code NAME.NAMESPACE.svc.DOMAIN}; anything else is taken as written.
   */
  public static String qualify(String host, String namespace, String clusterDomain) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.contains(".") || h.equals("*")) {
      return h;
    }
    return h + "." + namespace + ".svc." + clusterDomain;
  }

  /** True for a DNS name: dot-separated labels of lowercase letters, digits and hyphens. */
  public static boolean isValid(String host) {
    if (host.isEmpty() || host.length() > 253) {
      return false;
    }
    for (String label : host.split("\\.", -1)) {
      if (label.length() > 63 || !LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  /** True for a Kubernetes namespace name: one DNS-1123 label. */
  public static boolean isNamespace(String name) {
    return isValid(name) && !name.contains(".");
  }

  /** True for {@code *} or {@code *.suffix} with a valid suffix. */
  public static boolean isWildcard(String host) {
    return host.equals("*") || (host.startsWith("*.") && isValid(host.substring(2)));
  }

  /** Whether {@code pattern} (a hostname or a wildcard) covers {@code hostname}. */
  public static boolean matches(String pattern, String hostname) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.startsWith("*.")) {
      return hostname.endsWith(pattern.substring(1));
    }
    return pattern.equals(hostname);
  }

  /**
   * The Kubernetes short forms of {@code hostname} that resolve from a pod in {@code namespace}:
   * for {@code reviews.default.svc.cluster.local} seen from {@code default} these are {@code
   * reviews}, {@code reviews.default} and {@code reviews.default.svc}; from another namespace, only
   * {@code reviews.default} and {@code reviews.default.svc}. Other hostnames have none.
   */
  public static List<String> shortForms(
      String hostname, String proxyNamespace, String clusterDomain) {
    Optional<String> namespace = kubernetesNamespace(hostname, clusterDomain);
    if (namespace.isEmpty()) {
      return List.of();
    }
    String name = hostname.substring(0, hostname.indexOf('.'));
    List<String> forms = new ArrayList<>();
    if (namespace.get().equals(proxyNamespace)) {
      forms.add(name);
    }
    forms.add(name + "." + namespace.get());
    forms.add(name + "." + namespace.get() + ".svc");
    return forms;
  }

  /**
   * The namespace of a Kubernetes service hostname ({@code NAME.NAMESPACE.svc.CLUSTER_DOMAIN}), the
   * one from which its bare name resolves; empty for other hostnames.
   */
  public static Optional<String> kubernetesNamespace(String hostname, String clusterDomain) {
    String suffix = ".svc." + clusterDomain;
    if (!hostname.endsWith(suffix)) {
      return Optional.empty();
    }
    String[] parts = hostname.substring(0, hostname.length() - suffix.length()).split("\\.");
    return parts.length == 2 ? Optional.of(parts[1]) : Optional.empty();
  }
}
