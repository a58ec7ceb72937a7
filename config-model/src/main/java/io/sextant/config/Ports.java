package io.sextant.config;

import io.sextant.model.Protocol;
import java.util.Locale;
import java.util.Optional;

/**
 * Istio's port-naming convention: {@code http-*}, {@code http2-*}, {@code grpc-*}, {@code tcp-*}.
 */
public final class Ports {
  private Ports() {}

  /** The protocol a port name implies, e.g. {@code grpc-api} is GRPC; empty when none. */
  public static Optional<Protocol> protocolFromName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    int dash = lower.indexOf('-');
    String prefix = dash < 0 ? lower : lower.substring(0, dash);
    return switch (prefix) {
      case "http" -> Optional.of(Protocol.HTTP);
      case "http2" -> Optional.of(Protocol.HTTP2);
      case "grpc" -> Optional.of(Protocol.GRPC);
      case "tcp" -> Optional.of(Protocol.TCP);
      default -> Optional.empty();
    };
  }
}
