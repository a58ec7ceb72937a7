package io.sextant.server.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.sextant.translator.XdsResources;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one proxy group is served: per xDS type, the resource sets (shared layers) it is made of. A
 * type's version is the sum of its sets' content hashes, so it depends only on what is served, and
 * a restarted control plane serves exactly the versions its proxies already hold.
 */
public final class GroupSnapshot {
  private final Map<XdsType, List<ResourceSet>> parts;
  private final Map<XdsType, String> versions = new EnumMap<>(XdsType.class);

  public GroupSnapshot(Map<XdsType, List<ResourceSet>> parts) {
    this.parts = new EnumMap<>(XdsType.class);
    for (XdsType t : XdsType.values()) {
      List<ResourceSet> p = List.copyOf(parts.getOrDefault(t, List.of()));
      this.parts.put(t, p);
      versions.put(t, version(p));
    }
  }

  private GroupSnapshot(GroupSnapshot base, XdsType type, List<ResourceSet> sets) {
    this.parts = new EnumMap<>(base.parts);
    this.versions.putAll(base.versions);
    List<ResourceSet> p = List.copyOf(sets);
    this.parts.put(type, p);
    this.versions.put(type, version(p));
  }

  private static String version(List<ResourceSet> sets) {
    long hash = 0;
    for (ResourceSet s : sets) {
      hash += s.hash();
    }
    return HexFormat.of().toHexDigits(hash);
  }

  /**
   * This snapshot with {@code type} made of {@code sets} instead. The other types keep their lists
   * and versions as they are: an endpoint push calls this for every group.
   */
  public GroupSnapshot with(XdsType type, List<ResourceSet> sets) {
    return new GroupSnapshot(this, type, sets);
  }

  public List<ResourceSet> parts(XdsType type) {
    return parts.get(type);
  }

  public String version(XdsType type) {
    return versions.get(type);
  }

  public Map<XdsType, String> versions() {
    return new EnumMap<>(versions);
  }

  /** The resource named {@code name}, or null. */
  public Resource get(XdsType type, String name) {
    for (ResourceSet s : parts.get(type)) {
      Resource r = s.get(name);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  /** Every resource of {@code type}. */
  public List<Resource> all(XdsType type) {
    List<Resource> all = new ArrayList<>();
    parts.get(type).forEach(s -> all.addAll(s.resources()));
    return all;
  }

  /** Every resource of {@code type} as a response's resources field. */
  ResourceSet.Encoding entries(XdsType type, boolean delta) {
    ResourceSet.Encoding e = ResourceSet.Encoding.NONE;
    for (ResourceSet s : parts.get(type)) {
      e = e.plus(s.entries(delta));
    }
    return e;
  }

  /** The resources of {@code type} named in {@code subscription}, as a resources field. */
  ResourceSet.Encoding entries(XdsType type, boolean delta, Set<String> subscription) {
    ResourceSet.Encoding e = ResourceSet.Encoding.NONE;
    for (ResourceSet s : parts.get(type)) {
      e = e.plus(s.entries(delta, subscription));
    }
    return e;
  }

  public int size(XdsType type) {
    int n = 0;
    for (ResourceSet s : parts.get(type)) {
      n += s.size();
    }
    return n;
  }

  /**
   * The names of {@code type} added, changed or removed since {@code older}: cheaply when every set
   * here was derived from the matching set there, by comparing every name otherwise.
   */
  public Set<String> changedSince(XdsType type, GroupSnapshot older) {
    List<ResourceSet> now = parts.get(type);
    List<ResourceSet> then = older.parts.get(type);
    if (now.size() == 1 && then.size() == 1) {
      Optional<Set<String>> c = now.get(0).changedSince(then.get(0));
      if (c.isPresent()) {
        return c.get();
      }
    } else if (now.size() == then.size()) {
      Set<String> changed = new HashSet<>();
      boolean derivable = true;
      for (int i = 0; i < now.size() && derivable; i++) {
        Optional<Set<String>> c = now.get(i).changedSince(then.get(i));
        if (c.isPresent()) {
          changed.addAll(c.get());
        } else {
          derivable = false;
        }
      }
      if (derivable) {
        return changed;
      }
    }
    Set<String> changed = new HashSet<>();
    for (Resource r : all(type)) {
      Resource o = older.get(type, r.name());
      if (o == null || !o.version().equals(r.version())) {
        changed.add(r.name());
      }
    }
    for (Resource o : older.all(type)) {
      if (get(type, o.name()) == null) {
        changed.add(o.name());
      }
    }
    return changed;
  }

  /** The resources as messages, for {@code /debug/config_dump}. */
  @SuppressWarnings("unchecked")
  public XdsResources xdsResources() {
    return new XdsResources(
        (List<Listener>) messages(XdsType.LDS),
        (List<RouteConfiguration>) messages(XdsType.RDS),
        (List<Cluster>) messages(XdsType.CDS),
        (List<ClusterLoadAssignment>) messages(XdsType.EDS));
  }

  private List<? extends Message> messages(XdsType type) {
    return all(type).stream().map(Resource::source).toList();
  }
}
