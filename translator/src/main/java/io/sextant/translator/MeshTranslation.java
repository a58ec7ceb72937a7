package io.sextant.translator;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.sextant.config.networking.Sidecar;
import io.sextant.config.networking.VirtualService;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSnapshot;
import io.sextant.translator.envoy.Clusters;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The translation of one mesh snapshot for any number of proxies. Everything a proxy's
 * configuration is made of is a {@link Layer}, computed the first time a proxy needs it and then
 * shared: outbound clusters per proxy kind, the endpoints, routes per namespace, outbound listeners
 * per interception mode; only the inbound side is per workload. Pure like the rest of the
 * translator (no clocks, no I/O); not thread-safe, meant for one push thread.
 */
public final class MeshTranslation {
  private final MeshSnapshot mesh;
  private final Diagnostics diagnostics;
  private final MeshIndex index;
  private final SidecarScopes sidecars;
  private final Map<String, MeshIndex> scopedIndexes = new HashMap<>();
  private final Map<String, Layer> layers = new HashMap<>();

  /**
   * What computing each layer reported, for the layers {@link #layer} computed (and those carried
   * over with theirs): a layer reused by a later translation reports it again there.
   */
  private final Map<String, List<Diagnostic>> layerDiagnostics = new HashMap<>();

  /**
   * The route configurations of each routes layer by port, with what building each reported: a
   * VirtualService change rebuilds only the ports of the hosts it names (see {@link #after}).
   */
  private final Map<String, PortRoutes> portRoutes = new HashMap<>();

  /** What {@link #after} carried over from the previous translation's {@link #portRoutes}. */
  private final Map<String, PortRoutes> reusableRoutes = new HashMap<>();

  /**
   * The names of the clusters of each outbound clusters layer (layers compare by identity): the
   * routes layers of every namespace are built with the same outbound clusters.
   */
  private final Map<Layer, Set<String>> clusterNames = new HashMap<>();

  /** Virtual hosts the routes layers of several namespaces share. */
  private final SharedVirtualHosts sharedVirtualHosts = new SharedVirtualHosts();

  private LocalityLoadBalancing.Inputs localityInputs; // computed on first use

  /** One routes layer's configurations by port, built with the outbound clusters named. */
  private record PortRoutes(Set<String> clusters, Map<Integer, Built> byPort) {
    /** This without the ports in {@code ports}. */
    PortRoutes without(Set<Integer> ports) {
      Map<Integer, Built> kept = new HashMap<>(byPort);
      kept.keySet().removeAll(ports);
      return new PortRoutes(clusters, kept);
    }
  }

  private record Built(Optional<RouteConfiguration> config, List<Diagnostic> reported) {}

  private MeshTranslation(MeshSnapshot mesh, Diagnostics diagnostics) {
    this.mesh = mesh;
    this.diagnostics = diagnostics;
    this.index = MeshIndex.of(mesh, diagnostics);
    this.sidecars = SidecarScopes.of(mesh, diagnostics);
  }

  public static MeshTranslation of(MeshSnapshot mesh) {
    return new MeshTranslation(mesh, new Diagnostics());
  }

  /**
   * The translation of {@code mesh} when only the endpoints of {@code changedHosts} differ from
   * {@code previous}'s mesh: every layer of {@code previous} is reused except the endpoints, and of
   * those only the changed hosts' assignments are recomputed.
   */
  public static MeshTranslation endpointsChanged(
      MeshTranslation previous, MeshSnapshot mesh, Set<String> changedHosts) {
    MeshTranslation next = new MeshTranslation(mesh, previous.diagnostics.copy());
    next.layers.putAll(previous.layers);
    next.layerDiagnostics.putAll(previous.layerDiagnostics);
    next.portRoutes.putAll(previous.portRoutes);
    // Endpoints ranked for one locality are recomputed when a proxy there next asks.
    next.layers.keySet().removeIf(k -> k.startsWith(EDS + "/"));
    // The assignments below are put together here, not computed by layer(): a later rule change
    // recomputes them rather than carry them over.
    next.layerDiagnostics.keySet().removeIf(k -> k.equals(EDS) || k.startsWith(EDS + "/"));
    List<MeshService> changed = new ArrayList<>();
    for (String host : changedHosts) {
      mesh.service(host).ifPresent(changed::add);
    }
    Map<String, ClusterLoadAssignment> fresh = new HashMap<>();
    for (ClusterLoadAssignment cla : ServiceClusters.assignments(next.index, changed)) {
      fresh.put(cla.getClusterName(), cla);
    }
    // One pass over the previous assignments, in name order: each changed host's is replaced where
    // it stands (or dropped, if the host no longer has that cluster). Only an assignment that is
    // new makes the list need sorting again. The hosts are matched at the end of each name, without
    // cutting it out: this pass meets every assignment of the mesh on every endpoint change.
    List<?> before = previous.endpoints().resources();
    List<ClusterLoadAssignment> assignments = new ArrayList<>(before.size() + fresh.size());
    for (Object o : before) {
      ClusterLoadAssignment cla = (ClusterLoadAssignment) o;
      String name = cla.getClusterName();
      if (!ofAny(name, changedHosts)) {
        assignments.add(cla);
        continue;
      }
      ClusterLoadAssignment now = fresh.remove(name);
      if (now != null) {
        assignments.add(now);
      }
    }
    if (!fresh.isEmpty()) {
      assignments.addAll(fresh.values());
      assignments.sort(Comparator.comparing(ClusterLoadAssignment::getClusterName));
    }
    next.layers.put(EDS, new Layer(EDS, assignments));
    return next;
  }

  /**
   * Whether the cluster {@code name} ({@code outbound|port|subset|host}) is of one of {@code
   * hosts}.
   */
  private static boolean ofAny(String name, Set<String> hosts) {
    if (hosts.size() > 4) { // a burst of changes, or a registry's resync: look the host up
      return hosts.contains(name.substring(name.lastIndexOf('|') + 1));
    }
    for (String host : hosts) {
      int at = name.length() - host.length();
      if (at > 0 && name.charAt(at - 1) == '|' && name.startsWith(host, at)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The translation of {@code mesh} after any change from {@code previous}'s mesh (rules, services,
   * settings). Layers that depend only on what did not change are carried over with the diagnostics
   * they reported, so a VirtualService change does not rebuild, re-check and re-encode every
   * workload's inbound side, the endpoints or the outbound clusters:
   *
   * <ul>
   *   <li>inbound layers and the pass-through and black-hole clusters: when the services and
   *       settings are equal;
   *   <li>endpoints: also when the DestinationRules are equal (subsets, locality settings);
   *   <li>outbound clusters: also when the Sidecars are equal (what each proxy imports);
   *   <li>the route configuration of a port: also when the rate limits are equal and no
   *       VirtualService that was added, removed or changed names a service on that port.
   * </ul>
   *
   * Outbound listeners are always recomputed, and so are the routes layers, port by port.
   */
  public static MeshTranslation after(MeshTranslation previous, MeshSnapshot mesh) {
    MeshTranslation next = of(mesh);
    MeshSnapshot old = previous.mesh;
    if (!old.settings().equals(mesh.settings()) || !old.services().equals(mesh.services())) {
      return next;
    }
    boolean samePolicies = old.destinationRules().equals(mesh.destinationRules());
    boolean sameScopes = samePolicies && old.sidecars().equals(mesh.sidecars());
    previous.layerDiagnostics.forEach(
        (key, reported) -> {
          boolean keep =
              key.startsWith("cds/inbound/")
                  || key.startsWith("lds/inbound/")
                  || key.equals(PASSTHROUGH_CLUSTERS)
                  || key.equals(BLACK_HOLE_CLUSTERS)
                  || (samePolicies && (key.equals(EDS) || key.startsWith(EDS + "/")))
                  || (sameScopes && isOutboundClusters(key));
          if (keep) {
            next.layers.put(key, previous.layers.get(key));
            next.layerDiagnostics.put(key, reported);
            next.diagnostics.addAll(reported);
          }
        });
    if (sameScopes && old.rateLimits().equals(mesh.rateLimits())) {
      Set<Integer> touched = portsNamedBy(changedVirtualServices(old, mesh), mesh);
      previous.portRoutes.forEach(
          (key, routes) -> next.reusableRoutes.put(key, routes.without(touched)));
    }
    return next;
  }

  /** The VirtualServices added, removed or changed from {@code old} to {@code mesh}. */
  private static Set<VirtualService> changedVirtualServices(MeshSnapshot old, MeshSnapshot mesh) {
    Set<VirtualService> before = new HashSet<>(old.virtualServices());
    Set<VirtualService> now = new HashSet<>(mesh.virtualServices());
    Set<VirtualService> changed = new HashSet<>(before);
    changed.removeAll(now);
    now.removeAll(before);
    changed.addAll(now);
    return changed;
  }

  /**
   * Every port of every service that a host of {@code rules} may name. Generous on purpose: a short
   * name matches the service of that name in any namespace, a wildcard any service under it.
   */
  private static Set<Integer> portsNamedBy(Set<VirtualService> rules, MeshSnapshot mesh) {
    Set<Integer> ports = new HashSet<>();
    for (VirtualService rule : rules) {
      for (String host : rule.hosts()) {
        String h = host.toLowerCase(Locale.ROOT);
        for (MeshService service : mesh.services().values()) {
          String name = service.hostname().toLowerCase(Locale.ROOT);
          boolean named =
              h.startsWith("*")
                  ? name.endsWith(h.substring(1))
                  : name.equals(h) || name.startsWith(h + ".");
          if (named) {
            service.service().ports().forEach(p -> ports.add(p.number()));
          }
        }
      }
    }
    return ports;
  }

  /**
   * Forgets every layer whose key is not in {@code keys}: what no proxy uses any more is then not
   * carried into later translations (an endpoint change carries every layer, a rule change the
   * inbound ones), so the layers of workloads that are gone do not pile up.
   */
  public void retainLayers(Set<String> keys) {
    layers.keySet().retainAll(keys);
    layerDiagnostics.keySet().retainAll(keys);
    portRoutes.keySet().retainAll(keys);
  }

  private static final String PASSTHROUGH_CLUSTERS = "cds/passthrough";
  private static final String BLACK_HOLE_CLUSTERS = "cds/blackhole";

  private static boolean isOutboundClusters(String key) {
    for (ProxyKind kind : ProxyKind.values()) {
      if (key.equals("cds/" + kind) || key.startsWith("cds/" + kind + "/")) {
        return true;
      }
    }
    return false;
  }

  public MeshSnapshot mesh() {
    return mesh;
  }

  /** Every diagnostic the layers computed so far have produced, without duplicates. */
  public List<Diagnostic> diagnostics() {
    return diagnostics.list();
  }

  private static final String EDS = "eds";

  /** The assignments of every EDS cluster: the same for every proxy. */
  public Layer endpoints() {
    return layer(EDS, () -> ServiceClusters.assignments(index));
  }

  /**
   * What a proxy's outbound side is computed from: the services its Sidecar imports (or the whole
   * mesh), a key naming that view in layer keys, and whether unknown destinations are refused.
   */
  private record Outbound(MeshIndex index, String key, boolean registryOnly) {}

  private Outbound outbound(ProxyContext proxy) {
    Optional<Sidecar> sidecar = sidecars.select(proxy, diagnostics);
    if (sidecar.isEmpty()) {
      return new Outbound(index, "", false);
    }
    Sidecar sc = sidecar.get();
    boolean registryOnly =
        sc.outboundTrafficPolicy().orElse(Sidecar.OutboundTrafficPolicy.ALLOW_ANY)
            == Sidecar.OutboundTrafficPolicy.REGISTRY_ONLY;
    String policyKey = registryOnly ? "/registry-only" : "";
    if (sc.egressHosts().isEmpty()) { // imports everything
      return new Outbound(index, policyKey, registryOnly);
    }
    String scopeKey = "/sidecar=" + sc.meta().namespace() + "/" + sc.meta().name();
    MeshIndex scoped = scopedIndexes.computeIfAbsent(scopeKey, k -> index.scopedTo(sc));
    return new Outbound(scoped, scopeKey + policyKey, registryOnly);
  }

  /** The layers of {@code proxy}'s configuration. */
  public ProxyLayers forProxy(ProxyContext proxy) {
    String kind = proxy.kind().name();
    Outbound out = outbound(proxy);
    Layer outboundClusters =
        layer(
            "cds/" + kind + out.key(),
            () -> ServiceClusters.clusters(out.index(), proxy, diagnostics));
    if (proxy.kind() == ProxyKind.GRPC) {
      return new ProxyLayers(
          List.of(layer("lds/GRPC", () -> GrpcListeners.build(index))),
          List.of(routes(proxy, out, outboundClusters)),
          List.of(outboundClusters),
          List.of(endpoints(proxy)));
    }
    List<Layer> clusters = new ArrayList<>(List.of(outboundClusters));
    if (SidecarListeners.passesThrough(proxy)) {
      clusters.add(
          out.registryOnly()
              ? layer("cds/blackhole", () -> List.of(Clusters.blackHole(Names.BLACK_HOLE_CLUSTER)))
              : layer(
                  "cds/passthrough",
                  () -> List.of(Clusters.originalDestination(Names.PASSTHROUGH_CLUSTER))));
    }
    String workload = workloadKey(proxy);
    Layer inboundClusters =
        layer(
            "cds/inbound/" + workload,
            () -> WorkloadInbound.clusters(Workloads.inboundPorts(index, proxy)));
    if (!inboundClusters.resources().isEmpty()) {
      clusters.add(inboundClusters);
    }
    Set<Integer> taken = SidecarListeners.localhostInboundPorts(index, proxy);
    List<Layer> listeners = new ArrayList<>();
    listeners.add(
        layer(
            "lds/"
                + proxy.interception()
                + "/"
                + taken
                + (index.scopedVirtualServices() ? "/" + proxy.namespace() : "")
                + out.key(),
            () ->
                SidecarListeners.outbound(
                    out.index(),
                    proxy.interception(),
                    taken,
                    proxy.namespace(),
                    out.registryOnly(),
                    diagnostics)));
    Layer inbound =
        layer("lds/inbound/" + workload, () -> SidecarListeners.inbound(index, proxy, diagnostics));
    if (!inbound.resources().isEmpty()) {
      listeners.add(inbound);
    }
    return new ProxyLayers(
        listeners,
        List.of(routes(proxy, out, outboundClusters)),
        clusters,
        List.of(endpoints(proxy)));
  }

  /**
   * A proxy's endpoints: the shared layer, unless some DestinationRule ranks endpoints by the
   * proxy's locality (and, with failoverPriority, its labels) and the proxy says where it is or how
   * it is labelled. Proxies that agree on all of that share a layer (sidecars and proxyless gRPC
   * clients alike: the assignments are the same).
   */
  private Layer endpoints(ProxyContext proxy) {
    if (localityInputs == null) {
      localityInputs = LocalityLoadBalancing.inputs(index);
    }
    return localityInputs
        .of(proxy)
        .map(
            client ->
                layer(
                    EDS + "/" + client.key(),
                    () -> ServiceClusters.assignments(index, index.services(), client)))
        .orElseGet(this::endpoints);
  }

  /**
   * Route configurations differ by proxy kind, by pass-through, by namespace (short names,
   * exportTo, sourceNamespace), by Sidecar and, when some route selects source workloads, by
   * labels. Routes send only to outbound clusters, so those are all they are built with.
   */
  private Layer routes(ProxyContext proxy, Outbound out, Layer outboundClusters) {
    String key =
        "rds/"
            + proxy.kind()
            + "/"
            + SidecarListeners.passesThrough(proxy)
            + "/"
            + proxy.namespace()
            + (index.sourceSelectingRoutes() ? "/" + new TreeMap<>(proxy.labels()) : "")
            + out.key();
    return layer(
        key,
        () -> {
          Set<String> names =
              clusterNames.computeIfAbsent(
                  outboundClusters,
                  l ->
                      l.resources().stream()
                          .map(c -> ((Cluster) c).getName())
                          .collect(Collectors.toUnmodifiableSet()));
          PortRoutes earlier = reusableRoutes.get(key);
          Map<Integer, Built> reusable =
              earlier != null && earlier.clusters().equals(names) ? earlier.byPort() : Map.of();
          PortRoutes built = new PortRoutes(names, new HashMap<>());
          portRoutes.put(key, built);
          return ServiceRoutes.build(
              out.index(),
              proxy,
              names,
              out.registryOnly(),
              diagnostics,
              (port, build) -> {
                Built b = reusable.get(port);
                if (b != null) {
                  diagnostics.addAll(b.reported());
                } else {
                  List<Diagnostic> reported = new ArrayList<>();
                  b = new Built(diagnostics.record(build, reported), List.copyOf(reported));
                }
                built.byPort().put(port, b);
                return b.config();
              },
              sharedVirtualHosts);
        });
  }

  /** What the inbound side of a workload depends on. */
  private static String workloadKey(ProxyContext proxy) {
    String key = proxy.interception() + "/" + proxy.namespace() + "/" + proxy.serviceName();
    return proxy.interception() == InterceptionMode.NONE
        ? key + "/" + String.join(",", proxy.instanceIps())
        : key;
  }

  private Layer layer(String key, Supplier<List<? extends Message>> compute) {
    Layer l = layers.get(key);
    if (l == null) {
      List<Diagnostic> reported = new ArrayList<>();
      List<? extends Message> resources = diagnostics.record(compute, reported);
      l = new Layer(key, sortedByName(resources));
      layers.put(key, l);
      layerDiagnostics.put(key, List.copyOf(reported));
    }
    return l;
  }

  private static List<Message> sortedByName(List<? extends Message> resources) {
    List<Message> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing(Names::of));
    return sorted;
  }
}
