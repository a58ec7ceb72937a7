package io.sextant.registry.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes configuration files the way careful tools do, and Istio YAML to put in them. */
final class ConfigFiles {
  private ConfigFiles() {}

  /**
   * Replaces {@code file} in one rename, so a watcher never sees it half written (a hidden
   * temporary file is skipped by the watcher).
   */
  static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.writeString(temporary, text);
      return Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A STATIC ServiceEntry for {@code host} on port 80 with one endpoint per address. */
  static String serviceEntry(String name, String host, String... addresses) {
    StringBuilder endpoints = new StringBuilder();
    for (String address : addresses) {
      endpoints.append(endpoints.isEmpty() ? "" : ", ").append("{address: ").append(address);
      endpoints.append('}');
    }
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %s}
        spec:
          hosts: [%s]
          resolution: STATIC
          ports: [{number: 80, name: http, protocol: HTTP}]
          endpoints: [%s]
        """
        .formatted(name, host, endpoints);
  }
}
