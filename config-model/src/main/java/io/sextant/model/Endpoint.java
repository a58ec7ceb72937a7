package io.sextant.model;

import java.util.Map;
import java.util.Objects;

/**
 * One instance of a service behind one service port.
 *
 * @param address IP address (or, for DNS services, a hostname)
 * @param port the port the instance listens on
 * @param servicePort the number of the {@link ServicePort} this endpoint serves
 * @param labels workload labels, used by subsets
 * @param locality where the instance runs
 * @param health health as reported by the registry
 * @param weight relative load-balancing weight, at least 1
 * @param origin the name of the registry that reported it
 * @param priority failover priority, 0 the highest: traffic goes to a lower priority only while no
 *     endpoint of a higher one is healthy (EDS priorities)
 */
public record Endpoint(
    String address,
    int port,
    int servicePort,
    Map<String, String> labels,
    Locality locality,
    HealthStatus health,
    int weight,
    String origin,
    int priority) {

  public Endpoint {
    Objects.requireNonNull(address, "address");
    labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
    Objects.requireNonNull(locality, "locality");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(origin, "origin");
    if (address.isBlank()) {
      throw new IllegalArgumentException("endpoint address is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint port out of range: " + port);
    }
    if (weight < 1) {
      throw new IllegalArgumentException("endpoint weight must be at least 1: " + weight);
    }
    if (priority < 0) {
      throw new IllegalArgumentException("endpoint priority must be at least 0: " + priority);
    }
  }

  /** An endpoint of the highest priority, as every registry reports them. */
  public Endpoint(
      String address,
      int port,
      int servicePort,
      Map<String, String> labels,
      Locality locality,
      HealthStatus health,
      int weight,
      String origin) {
    this(address, port, servicePort, labels, locality, health, weight, origin, 0);
  }

  /**
   * A label every endpoint carries implicitly: the name of the registry it came from, so that a
   * DestinationRule subset can select the endpoints of one registry.
   */
  public static final String ORIGIN_LABEL = "sextant.io/registry";

  /**
   * True when every one of {@code selector}'s labels is on this endpoint with the same value,
   * counting {@value #ORIGIN_LABEL} as a label whose value is the origin.
   */
  public boolean matches(Map<String, String> selector) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      String value = e.getKey().equals(ORIGIN_LABEL) ? origin : labels.get(e.getKey());
      if (!e.getValue().equals(value)) {
        return false;
      }
    }
    return true;
  }

  public Endpoint withOrigin(String newOrigin) {
    return new Endpoint(
        address, port, servicePort, labels, locality, health, weight, newOrigin, priority);
  }

  public Endpoint withPriority(int newPriority) {
    return newPriority == priority
        ? this
        : new Endpoint(
            address, port, servicePort, labels, locality, health, weight, origin, newPriority);
  }

  public Endpoint withWeight(int newWeight) {
    return newWeight == weight
        ? this
        : new Endpoint(
            address, port, servicePort, labels, locality, health, newWeight, origin, priority);
  }

  public Endpoint withServicePort(int newServicePort) {
    return newServicePort == servicePort
        ? this
        : new Endpoint(
            address, port, newServicePort, labels, locality, health, weight, origin, priority);
  }
}
