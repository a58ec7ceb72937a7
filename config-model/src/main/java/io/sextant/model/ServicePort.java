package io.sextant.model;

import java.util.Objects;

/**
 * One port of a service.
 *
 * @param name the port's name, unique within the service
 * @param number the port clients connect to
 * @param protocol the application protocol spoken on it
 * @param targetPort the port the workload listens on; equals {@code number} unless remapped
 */
public record ServicePort(String name, int number, Protocol protocol, int targetPort) {
  public ServicePort {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    if (number < 1 || number > 65535) {
      throw new IllegalArgumentException("port number out of range: " + number);
    }
    if (targetPort < 1 || targetPort > 65535) {
      throw new IllegalArgumentException("target port out of range: " + targetPort);
    }
  }

  public ServicePort(String name, int number, Protocol protocol) {
    this(name, number, protocol, number);
  }
}
