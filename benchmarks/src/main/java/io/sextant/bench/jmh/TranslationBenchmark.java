package io.sextant.bench.jmh;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.bench.mesh.MeshSnapshots;
import io.sextant.bench.mesh.MeshSpec;
import io.sextant.model.MeshSnapshot;
import io.sextant.translator.ProxyContext;
import io.sextant.translator.Translation;
import io.sextant.translator.Translator;
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

/** Translation of a whole generated mesh for one sidecar. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TranslationBenchmark {
  @Param({"1000"})
  int services;

  @Param({"10"})
  int endpoints;

  @Param({"100"})
  int virtualServices;

  MeshSnapshot mesh;
  ProxyContext sidecar;

  @Setup
  public void setUp() {
    MeshSpec spec = MeshSpec.of(services, endpoints, virtualServices);
    mesh = MeshSnapshots.of(spec);
    sidecar =
        ProxyContext.fromNode(Node.newBuilder().setId("bench").setCluster(spec.name(0)).build());
  }

  @Benchmark
  public Translation fullTranslationForOneSidecar() {
    return Translator.translate(mesh, sidecar);
  }
}
