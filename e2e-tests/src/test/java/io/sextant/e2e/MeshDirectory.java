package io.sextant.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A temporary configuration directory as a user would keep it: {@code sextant.yaml}, {@code
 * services/} with ServiceEntry files, {@code rules/} with VirtualServices and DestinationRules.
 */
final class MeshDirectory {
  private final Path root;

  MeshDirectory(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root.resolve("services"));
      Files.createDirectories(root.resolve("rules"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path root() {
    return root;
  }

  /** Writes sextant.yaml with the xDS server on {@code xdsPort} and admin on a free port. */
  Path writeConfig(int xdsPort) {
    return write(
        "sextant.yaml",
        """
        xds: {address: 127.0.0.1, port: %d}
        admin: {address: 127.0.0.1, port: 0}
        registries:
          - {name: e2e-files, type: file, paths: [services/], rescanInterval: 2s}
        rules:
          - {name: e2e-rules, type: file, paths: [rules/], rescanInterval: 2s}
        push: {debounceQuiet: 50ms, debounceMax: 500ms}
        """
            .formatted(xdsPort));
  }

  /** An instance of a service: where it listens and its labels. */
  record Instance(int port, Map<String, String> labels) {
    static Instance at(int port, String version) {
      return new Instance(port, Map.of("version", version));
    }
  }

  /**
   * Writes {@code services/NAME.yaml}: a STATIC ServiceEntry for {@code host} whose port {@code
   * servicePort} (named after the protocol) is served by {@code instances} on 127.0.0.1.
   */
  Path writeService(
      String name, String host, int servicePort, String protocol, List<Instance> instances) {
    String portName = protocol.toLowerCase();
    String endpoints =
        instances.stream()
            .map(
                i ->
                    "  - address: 127.0.0.1\n    ports: {%s: %d}\n    labels: {%s}\n"
                        .formatted(
                            portName,
                            i.port(),
                            i.labels().entrySet().stream()
                                .map(e -> e.getKey() + ": " + e.getValue())
                                .sorted()
                                .collect(Collectors.joining(", "))))
            .collect(Collectors.joining());
    return write(
        "services/" + name + ".yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %s, namespace: e2e}
        spec:
          hosts: [%s]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: %d, name: %s, protocol: %s}
          endpoints:
        %s"""
            .formatted(
                name,
                host,
                servicePort,
                portName,
                protocol,
                endpoints.isEmpty() ? "    []\n" : endpoints));
  }

  /** Writes {@code rules/NAME.yaml}: subsets v1/v2 and a weighted split between them. */
  Path writeSplit(String name, String host, int v1Weight, int v2Weight) {
    return write(
        "rules/" + name + ".yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %1$s, namespace: e2e}
        spec:
          host: %2$s
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %1$s, namespace: e2e}
        spec:
          hosts: [%2$s]
          http:
          - route:
            - destination: {host: %2$s, subset: v1}
              weight: %3$d
            - destination: {host: %2$s, subset: v2}
              weight: %4$d
        """
            .formatted(name, host, v1Weight, v2Weight));
  }

  /** Replaces a file atomically, as editors and ConfigMap updates do. */
  Path write(String relative, String content) {
    Path target = root.resolve(relative);
    try {
      Path tmp = Files.createTempFile(target.getParent(), ".writing-", ".tmp");
      Files.writeString(tmp, content);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String read(String relative) {
    try {
      return Files.readString(root.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
