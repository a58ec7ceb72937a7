package io.sextant.config.networking;

import io.sextant.config.SourceLocation;
import java.util.Map;
import java.util.Objects;

/**
 * An inline endpoint of a ServiceEntry (Istio's {@code WorkloadEntry} shape).
 *
 * @param address IP address, or hostname for DNS resolution
 * @param ports per-port-name overrides of the target port
 * @param labels workload labels
 * @param locality {@code region/zone/subzone}, may be empty
 * @param weight load-balancing weight, 0 when unset
 * @param location where in the file it was written
 */
public record WorkloadEntry(
    String address,
    Map<String, Integer> ports,
    Map<String, String> labels,
    String locality,
    int weight,
    SourceLocation location) {
  public WorkloadEntry {
    Objects.requireNonNull(address, "address");
    ports = Map.copyOf(ports);
    labels = Map.copyOf(labels);
    Objects.requireNonNull(locality, "locality");
    Objects.requireNonNull(location, "location");
  }
}
