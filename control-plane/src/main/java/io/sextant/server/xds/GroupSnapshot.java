package io.sextant.server.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.sextant.translator.Versions;
import io.sextant.translator.XdsResources;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The resources served to one proxy group, with content-hash versions: each resource's version is a
 * hash of its bytes, and a response's version is a hash of the names and versions of the resources
 * it carries. So a response only changes version when something in it changed, and a restarted
 * control plane serves exactly the versions its clients already have.
 *
 * <p>Replaces java-control-plane's default versions, which hash {@code Object.hashCode()} and
 * differ from one JVM to the next.
 */
public final class GroupSnapshot extends io.envoyproxy.controlplane.cache.v3.Snapshot {
  private static final SnapshotResources<Secret> NO_SECRETS =
      SnapshotResources.create(List.<VersionedResource<Secret>>of(), names -> "");

  private final XdsResources resources;
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final EnumMap<XdsType, String> versions = new EnumMap<>(XdsType.class);

  /**
   * @param versionOf computes a resource's version; lets a caller reuse the versions of resources
   *     shared between groups
   */
  public GroupSnapshot(XdsResources resources, Function<Message, String> versionOf) {
    this.resources = resources;
    this.listeners = typed(XdsType.LDS, resources.listeners(), Listener::getName, versionOf);
    this.routes = typed(XdsType.RDS, resources.routes(), RouteConfiguration::getName, versionOf);
    this.clusters = typed(XdsType.CDS, resources.clusters(), Cluster::getName, versionOf);
    this.endpoints =
        typed(XdsType.EDS, resources.endpoints(), ClusterLoadAssignment::getClusterName, versionOf);
  }

  public GroupSnapshot(XdsResources resources) {
    this(resources, Versions::of);
  }

  public XdsResources xdsResources() {
    return resources;
  }

  /** The version of every resource of each type together, as a wildcard request sees it. */
  public Map<XdsType, String> versions() {
    return new EnumMap<>(versions);
  }

  private <T extends Message> SnapshotResources<T> typed(
      XdsType type, List<T> items, Function<T, String> name, Function<Message, String> versionOf) {
    Map<String, String> byName = new TreeMap<>();
    List<VersionedResource<T>> versioned = new ArrayList<>(items.size());
    for (T item : items) {
      String version = versionOf.apply(item);
      byName.put(name.apply(item), version);
      versioned.add(VersionedResource.create(item, version));
    }
    String all = Versions.ofAll(byName);
    versions.put(type, all);
    return SnapshotResources.create(
        versioned,
        names -> {
          if (names.isEmpty()) {
            return all;
          }
          Map<String, String> requested = new LinkedHashMap<>();
          names.stream()
              .sorted()
              .distinct()
              .forEach(n -> requested.put(n, byName.getOrDefault(n, "")));
          return Versions.ofAll(requested);
        });
  }

  // Restated because javac does not see v3.Snapshot's wildcard signature as implementing the
  // base class's; the behaviour is v3.Snapshot's.
  @Override
  public Map<String, VersionedResource<?>> versionedResources(Resources.ResourceType type) {
    return super.versionedResources(type);
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return NO_SECRETS;
  }
}
