package io.sextant.model;

import java.util.Locale;
import java.util.Optional;

/** Application protocol of a service port, with Istio's names. */
public enum Protocol {
  HTTP,
  HTTP2,
  GRPC,
  TCP;

  /** True for ports whose traffic Envoy handles with the HTTP connection manager. */
  public boolean isHttp() {
    return this != TCP;
  }

  /** True when the upstream connection must speak HTTP/2. */
  public boolean isHttp2() {
    return this == HTTP2 || this == GRPC;
  }

  /** Parses Istio's protocol names case-insensitively; empty for names we do not support. */
  public static Optional<Protocol> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Protocol.valueOf(name.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
