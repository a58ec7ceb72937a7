package io.sextant.bench;

import io.sextant.bench.mesh.MeshSpec;

/** The standard scenarios, documented in docs/performance.md. */
enum Preset {
  /** What the test suite runs to keep the instrument working. */
  SMOKE(MeshSpec.of(20, 4, 5), 20, 5, 0, 5, 2, "512m", false),
  /** 1,000 services x 10 endpoints, 100 VirtualServices, 2,000 proxies, 10 endpoint changes/s. */
  MESH_1K(MeshSpec.of(1000, 10, 100), 2000, 60, 90, 10, 1, "512m", true),
  /**
   * 10,000 services x 10 endpoints, 2,000 proxies: as many as mesh-1k, and what the load generator
   * simulates beside the control plane on a 2-core machine (each receives about 10 MB when it
   * connects). The control plane gets 1 GiB of heap: it holds some 440 MiB live with 2,000 proxies,
   * and a rule change builds a new translation beside the old. One VirtualService change every 5 s:
   * each re-sends 2,000 route configurations of ~150 KB (300 MB), and at one a second the control
   * plane fell behind and most changes never converged.
   */
  MESH_10K(MeshSpec.of(10000, 10, 100), 2000, 60, 90, 10, 0.2, "1g", true),
  /** 2,000 proxies connecting at once to a fresh control plane serving mesh-1k; no churn. */
  COLD_START(MeshSpec.of(1000, 10, 100), 2000, 0, 0, 0, 0, "512m", true);

  final MeshSpec mesh;
  final int proxies;
  final int churnSeconds;

  /**
   * Seconds of endpoint and rule churn together after the cold start, before the measured phases.
   * The steady-state figures (CPU, convergence) are wanted of a control plane that has run a while:
   * in the first minute or so of churn after a cold start, its C2 JIT compiler took about 0.3 of a
   * core (JFR's per-thread CPU, 2026-12-03), work a long-running control plane does once.
   */
  final int settleSeconds;

  final double endpointChangesPerSecond;
  final double ruleChangesPerSecond;
  final String xmx;

  /**
   * Whether the load generator first warms up against a throwaway control plane. Envoy is compiled
   * ahead of time; the load generator is a JVM whose JIT compiler, during a cold start, took CPU
   * the measured control plane needed (a delta cold start took 16 s without the warm-up, 11 s with
   * it).
   */
  final boolean warmUp;

  Preset(
      MeshSpec mesh,
      int proxies,
      int churnSeconds,
      int settleSeconds,
      double endpoints,
      double rules,
      String xmx,
      boolean warmUp) {
    this.xmx = xmx;
    this.warmUp = warmUp;
    this.mesh = mesh;
    this.proxies = proxies;
    this.churnSeconds = churnSeconds;
    this.settleSeconds = settleSeconds;
    this.endpointChangesPerSecond = endpoints;
    this.ruleChangesPerSecond = rules;
  }

  String label() {
    return name().toLowerCase().replace('_', '-');
  }

  static Preset of(String label) {
    for (Preset p : values()) {
      if (p.label().equals(label)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown scenario " + label);
  }
}
