package io.sextant.config.networking;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Istio's {@code TrafficPolicy}: how traffic to a host (or one subset, or one port) is balanced,
 * limited, ejected and encrypted. Each of the four sub-policies replaces another as a whole, as in
 * Istio: see {@link #overriddenBy} and {@link #forPort}.
 *
 * @param portLevelSettings policies for single ports; their own {@code portLevelSettings} is empty
 */
public record TrafficPolicy(
    Optional<LoadBalancer> loadBalancer,
    Optional<ConnectionPool> connectionPool,
    Optional<OutlierDetection> outlierDetection,
    Optional<ClientTls> tls,
    List<PortPolicy> portLevelSettings) {

  public static final TrafficPolicy NONE =
      new TrafficPolicy(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of());

  public TrafficPolicy {
    Objects.requireNonNull(loadBalancer, "loadBalancer");
    Objects.requireNonNull(connectionPool, "connectionPool");
    Objects.requireNonNull(outlierDetection, "outlierDetection");
    Objects.requireNonNull(tls, "tls");
    portLevelSettings = List.copyOf(portLevelSettings);
  }

  /** A policy for one port number. */
  public record PortPolicy(int port, TrafficPolicy policy) {
    public PortPolicy {
      Objects.requireNonNull(policy, "policy");
    }
  }

  /**
   * This policy for {@code port}: a matching port-level setting replaces all four sub-policies, as
   * Istio does (what it leaves out falls back to the defaults, not to this policy's values).
   */
  public TrafficPolicy forPort(int port) {
    for (PortPolicy p : portLevelSettings) {
      if (p.port() == port) {
        return p.policy();
      }
    }
    return new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, List.of());
  }

  /** This policy with each sub-policy that {@code subset} sets replaced by the subset's. */
  public TrafficPolicy overriddenBy(TrafficPolicy subset) {
    return new TrafficPolicy(
        subset.loadBalancer.or(() -> loadBalancer),
        subset.connectionPool.or(() -> connectionPool),
        subset.outlierDetection.or(() -> outlierDetection),
        subset.tls.or(() -> tls),
        subset.portLevelSettings);
  }

  public boolean isEmpty() {
    return loadBalancer.isEmpty()
        && connectionPool.isEmpty()
        && outlierDetection.isEmpty()
        && tls.isEmpty()
        && portLevelSettings.isEmpty();
  }
}
