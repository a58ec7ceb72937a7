package io.sextant.config.networking;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Istio's {@code ClientTLSSettings}: how to connect to upstream hosts. Certificates are file paths
 * on the proxy's file system.
 */
public record ClientTls(
    Mode mode,
    Optional<String> clientCertificate,
    Optional<String> privateKey,
    Optional<String> caCertificates,
    Optional<String> sni,
    List<String> subjectAltNames,
    boolean insecureSkipVerify) {
  public ClientTls {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(caCertificates, "caCertificates");
    Objects.requireNonNull(sni, "sni");
    subjectAltNames = List.copyOf(subjectAltNames);
  }

  /** {@code ISTIO_MUTUAL} is rejected when read: it needs the mesh's own certificates. */
  public enum Mode {
    DISABLE,
    SIMPLE,
    MUTUAL
  }
}
