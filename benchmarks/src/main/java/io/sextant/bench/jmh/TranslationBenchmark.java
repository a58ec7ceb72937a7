package io.sextant.bench.jmh;

import io.sextant.bench.mesh.MeshSnapshots;
import io.sextant.bench.mesh.MeshSpec;
import io.sextant.bench.mesh.ProxyNodes;
import io.sextant.model.MeshSnapshot;
import io.sextant.translator.Layer;
import io.sextant.translator.MeshTranslation;
import io.sextant.translator.ProxyContext;
import io.sextant.translator.Translation;
import io.sextant.translator.Translator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Translation of a generated mesh of S services x E endpoints x R VirtualServices (10 namespaces,
 * one port per service, a DestinationRule with two subsets beside each VirtualService):
 *
 * <ul>
 *   <li>{@code fullMesh}: what a rule change costs: a fresh {@link MeshTranslation} and the layers
 *       of one sidecar per service (so every namespace's routes, every workload's inbound side) and
 *       every endpoint assignment;
 *   <li>{@code oneSidecar}: one sidecar's whole configuration, without sharing;
 *   <li>{@code oneEndpointChange}: the incremental step after one service's endpoint moved: every
 *       layer of the previous translation is reused, only that service's assignments recomputed;
 *   <li>{@code oneRuleChange}: the translation after one VirtualService's route was renamed, for
 *       the same sidecars as {@code fullMesh}: what a rule push translates. Inbound layers,
 *       clusters, endpoints and the route configurations of the ports it does not touch are carried
 *       over from the previous translation.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xmx2g"})
public class TranslationBenchmark {
  @Param({"1000", "10000"})
  int services;

  @Param({"10"})
  int endpoints;

  @Param({"100"})
  int virtualServices;

  MeshSnapshot mesh;
  MeshSnapshot moved;
  MeshSnapshot renamed;
  String movedHost;
  List<ProxyContext> sidecars;
  MeshTranslation previous;

  @Setup
  public void setUp() {
    MeshSpec spec = MeshSpec.of(services, endpoints, virtualServices);
    mesh = MeshSnapshots.of(spec);
    int changed = services / 2;
    moved = MeshSnapshots.withEndpointMoved(mesh, spec, changed, 20001);
    movedHost = spec.host(changed);
    renamed = MeshSnapshots.withRouteRenamed(mesh, spec, virtualServices / 2, 1);
    sidecars = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      sidecars.add(ProxyContext.fromNode(ProxyNodes.sidecar(s, spec, s)));
    }
    previous = MeshTranslation.of(mesh);
    sidecars.forEach(previous::forProxy);
    previous.endpoints();
  }

  @Benchmark
  public void fullMesh(Blackhole bh) {
    MeshTranslation translation = MeshTranslation.of(mesh);
    for (ProxyContext sidecar : sidecars) {
      bh.consume(translation.forProxy(sidecar));
    }
    bh.consume(translation.endpoints());
  }

  @Benchmark
  public void oneRuleChange(Blackhole bh) {
    MeshTranslation translation = MeshTranslation.after(previous, renamed);
    for (ProxyContext sidecar : sidecars) {
      bh.consume(translation.forProxy(sidecar));
    }
    bh.consume(translation.endpoints());
  }

  @Benchmark
  public Translation oneSidecar() {
    return Translator.translate(mesh, sidecars.get(0));
  }

  @Benchmark
  public Layer oneEndpointChange() {
    return MeshTranslation.endpointsChanged(previous, moved, Set.of(movedHost)).endpoints();
  }
}
