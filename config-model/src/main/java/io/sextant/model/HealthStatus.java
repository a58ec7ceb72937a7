package io.sextant.model;

/** An endpoint's health as its registry reports it. */
public enum HealthStatus {
  HEALTHY,
  UNHEALTHY,
  /** Shutting down: no new traffic (Kubernetes "terminating", Consul maintenance). */
  DRAINING;

  public boolean receivesTraffic() {
    return this == HEALTHY;
  }
}
