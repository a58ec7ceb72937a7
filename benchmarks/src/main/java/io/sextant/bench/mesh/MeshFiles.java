package io.sextant.bench.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A generated mesh as a user would keep it for Sextant's file registry: {@code
 * services/NS/NAME.yaml} (one ServiceEntry per service), {@code rules/NAME.yaml} (a DestinationRule
 * and a VirtualService), with {@link SidecarScope#NAMESPACE} {@code rules/sidecar-NS.yaml} (one
 * Sidecar per namespace), and {@code sextant.yaml}. Also rewrites single files to drive churn: an
 * endpoint moved to a marker port, a route renamed with a sequence number, so a load generator can
 * tell from what a proxy receives that the change has reached it.
 */
public final class MeshFiles {
  private final MeshSpec spec;
  private final Path root;

  public MeshFiles(MeshSpec spec, Path root) {
    this.spec = spec;
    this.root = root;
  }

  public MeshSpec spec() {
    return spec;
  }

  public Path root() {
    return root;
  }

  /** Writes every file; returns the path of {@code sextant.yaml}. */
  public Path writeAll(int xdsPort, int adminPort) {
    return writeAll(xdsPort, adminPort, "");
  }

  /** Writes every file, with {@code extra} appended to {@code sextant.yaml}. */
  public Path writeAll(int xdsPort, int adminPort, String extra) {
    for (int s = 0; s < spec.services(); s++) {
      writeService(s, 0);
    }
    for (int s = 0; s < spec.virtualServices(); s++) {
      writeRules(s, 0);
    }
    writeSidecars();
    return write(
        "sextant.yaml",
        """
        xds: {address: 127.0.0.1, port: %d}
        admin: {address: 127.0.0.1, port: %d}
        registries:
          - {name: bench-services, type: file, paths: [services/], rescanInterval: 60s}
        rules:
          - {name: bench-rules, type: file, paths: [rules/], rescanInterval: 60s}
        """
                .formatted(xdsPort, adminPort)
            + extra);
  }

  /**
   * Writes the ServiceEntry of {@code service}; with a non-zero {@code markerPort}, its first
   * endpoint listens on that port instead of 8080.
   */
  public void writeService(int service, int markerPort) {
    write(
        "services/" + spec.namespace(service) + "/" + spec.name(service) + ".yaml",
        serviceEntry(service, markerPort));
  }

  public String serviceEntry(int service, int markerPort) {
    StringBuilder endpoints = new StringBuilder();
    for (int e = 0; e < spec.endpointsPerService(); e++) {
      endpoints
          .append("  - address: ")
          .append(spec.address(service, e))
          .append("\n    labels: {app: ")
          .append(spec.name(service))
          .append(", version: ")
          .append(e % 2 == 0 ? "v1" : "v2")
          .append("}\n");
      if (e == 0 && markerPort != 0) {
        endpoints.append("    ports: {http: ").append(markerPort).append("}\n");
      }
    }
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %s, namespace: %s}
        spec:
          hosts: [%s]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: %d, name: http, protocol: HTTP, targetPort: 8080}
          endpoints:
        """
            .formatted(
                spec.name(service), spec.namespace(service), spec.host(service), spec.port(service))
        + endpoints;
  }

  /**
   * Writes the DestinationRule and VirtualService of {@code service}; its route is named {@code
   * split-SEQ}.
   */
  public void writeRules(int service, int seq) {
    write("rules/" + spec.name(service) + ".yaml", rules(service, seq));
  }

  public String rules(int service, int seq) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          host: %1$s
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          hosts: [%1$s]
          http:
          - name: %3$s
            route:
            - destination: {host: %1$s, subset: v1}
              weight: 90
            - destination: {host: %1$s, subset: v2}
              weight: 10
        """
        .formatted(spec.name(service), spec.namespace(service), routeName(seq));
  }

  /**
   * With {@link SidecarScope#NAMESPACE}, writes each namespace's Sidecar beside the rules; without,
   * writes nothing.
   */
  public void writeSidecars() {
    if (spec.sidecarScope() == SidecarScope.NAMESPACE) {
      for (int n = 0; n < spec.namespaces(); n++) {
        write(sidecarFile(n), sidecar(n));
      }
    }
  }

  /** Whether the first namespace's Sidecar file exists: the mesh was written with Sidecars. */
  public boolean hasSidecars() {
    return Files.exists(root.resolve(sidecarFile(0)));
  }

  private static String sidecarFile(int namespace) {
    return "rules/sidecar-" + MeshSpec.namespaceName(namespace) + ".yaml";
  }

  /** The Sidecar of namespace number {@code namespace}: its proxies import its services only. */
  public String sidecar(int namespace) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: %s}
        spec:
          egress:
          - hosts: ["./*"]
        """
        .formatted(MeshSpec.namespaceName(namespace));
  }

  public static String routeName(int seq) {
    return "split-" + seq;
  }

  private Path write(String relative, String content) {
    Path target = root.resolve(relative);
    try {
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
      Files.writeString(tmp, content);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
