package io.sextant.config.networking;

import io.sextant.model.Protocol;
import java.util.Objects;

/**
 * A ServiceEntry port.
 *
 * @param number the port number
 * @param protocol HTTP, HTTP2, GRPC or TCP
 * @param name the port's name, required
 * @param targetPort the port on the endpoints, 0 when it equals {@code number}
 */
public record Port(int number, Protocol protocol, String name, int targetPort) {
  public Port {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(name, "name");
  }
}
