package io.sextant.bench.mesh;

import io.sextant.config.ConfigLoader;
import io.sextant.config.ConfigResource;
import io.sextant.config.LoadResult;
import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.ServiceEntries;
import io.sextant.config.networking.ServiceEntry;
import io.sextant.config.networking.VirtualService;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSettings;
import io.sextant.model.MeshSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** The mesh a {@link MeshSpec} describes, loaded through the same code the file registry uses. */
public final class MeshSnapshots {
  private MeshSnapshots() {}

  public static MeshSnapshot of(MeshSpec spec) {
    if (spec.sidecarScope() != SidecarScope.NONE) {
      // The YAML reader does not read Sidecars yet; a snapshot without them would measure the
      // unscoped mesh under the scoped one's name.
      throw new IllegalArgumentException("Sidecar scopes are not loaded into snapshots yet");
    }
    MeshFiles files = new MeshFiles(spec, null);
    List<MeshService> services = new ArrayList<>();
    List<VirtualService> virtualServices = new ArrayList<>();
    List<DestinationRule> destinationRules = new ArrayList<>();
    for (int s = 0; s < spec.services(); s++) {
      for (ConfigResource r : load("service-" + s, files.serviceEntry(s, 0))) {
        services.addAll(ServiceEntries.toServices((ServiceEntry) r, "bench"));
      }
    }
    for (int s = 0; s < spec.virtualServices(); s++) {
      for (ConfigResource r : load("rules-" + s, files.rules(s, 0))) {
        if (r instanceof VirtualService vs) {
          virtualServices.add(vs);
        } else if (r instanceof DestinationRule dr) {
          destinationRules.add(dr);
        }
      }
    }
    return MeshSnapshot.of(1, services, virtualServices, destinationRules, MeshSettings.DEFAULT);
  }

  /**
   * {@code mesh} with the first endpoint of {@code service} moved to {@code markerPort}: the change
   * the load generator's endpoint churn makes.
   */
  public static MeshSnapshot withEndpointMoved(
      MeshSnapshot mesh, MeshSpec spec, int service, int markerPort) {
    MeshFiles files = new MeshFiles(spec, null);
    SortedMap<String, MeshService> services = new TreeMap<>(mesh.services());
    for (ConfigResource r : load("service-" + service, files.serviceEntry(service, markerPort))) {
      for (MeshService s : ServiceEntries.toServices((ServiceEntry) r, "bench")) {
        services.put(s.hostname(), s);
      }
    }
    return new MeshSnapshot(
        mesh.generation() + 1,
        services,
        mesh.virtualServices(),
        mesh.destinationRules(),
        mesh.settings());
  }

  /**
   * {@code mesh} with the route of {@code service}'s VirtualService renamed {@code split-SEQ}: the
   * change the load generator's rule churn makes. {@code service} must have a VirtualService.
   */
  public static MeshSnapshot withRouteRenamed(
      MeshSnapshot mesh, MeshSpec spec, int service, int seq) {
    if (service >= spec.virtualServices()) {
      throw new IllegalArgumentException("service " + service + " has no VirtualService");
    }
    MeshFiles files = new MeshFiles(spec, null);
    List<VirtualService> virtualServices = new ArrayList<>(mesh.virtualServices());
    for (ConfigResource r : load("rules-" + service, files.rules(service, seq))) {
      if (r instanceof VirtualService changed) {
        virtualServices.replaceAll(
            vs -> vs.meta().qualifiedName().equals(changed.meta().qualifiedName()) ? changed : vs);
      }
    }
    return new MeshSnapshot(
        mesh.generation() + 1,
        mesh.services(),
        virtualServices,
        mesh.destinationRules(),
        mesh.settings());
  }

  private static List<ConfigResource> load(String name, String yaml) {
    LoadResult result = ConfigLoader.parse(name, yaml);
    if (!result.ok()) {
      throw new IllegalStateException("generated YAML does not load: " + result.errors());
    }
    return result.resources();
  }
}
