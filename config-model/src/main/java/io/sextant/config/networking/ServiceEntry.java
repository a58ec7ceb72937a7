package io.sextant.config.networking;

import io.sextant.config.ConfigResource;
import io.sextant.config.ResourceMeta;
import io.sextant.model.Resolution;
import java.util.List;
import java.util.Objects;

/**
 * Istio's {@code ServiceEntry}: services the mesh should know, with inline endpoints.
 *
 * @param hosts hostnames the entry defines, each becoming one service
 * @param addresses virtual IPs of the services, optional
 * @param ports the services' ports
 * @param location MESH_INTERNAL or MESH_EXTERNAL (recorded; no effect on routing yet)
 * @param resolution STATIC or DNS
 * @param endpoints the instances
 */
public record ServiceEntry(
    ResourceMeta meta,
    List<String> hosts,
    List<String> addresses,
    List<Port> ports,
    Location location,
    Resolution resolution,
    List<WorkloadEntry> endpoints)
    implements ConfigResource {

  public enum Location {
    MESH_EXTERNAL,
    MESH_INTERNAL
  }

  public ServiceEntry {
    Objects.requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(resolution, "resolution");
    endpoints = List.copyOf(endpoints);
  }
}
