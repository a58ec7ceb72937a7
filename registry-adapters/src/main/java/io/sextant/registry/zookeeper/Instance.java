package io.sextant.registry.zookeeper;

import io.sextant.model.Locality;
import io.sextant.model.Protocol;
import java.util.Map;
import java.util.Objects;

/**
 * One registered instance of a service, as read from its node.
 *
 * @param address where it listens
 * @param port the port it listens on
 * @param protocol what it speaks, the settings' default when its node does not say
 * @param labels its labels: the Curator payload's scalars, or the Dubbo URL's parameters
 * @param locality where it runs, {@link Locality#UNKNOWN} when its node does not say
 */
record Instance(
    String address, int port, Protocol protocol, Map<String, String> labels, Locality locality) {
  Instance {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(locality, "locality");
  }
}
