package io.sextant.e2e;

/**
 * The same contract through a real Envoy sidecar that speaks incremental (delta) xDS ({@code
 * sextant bootstrap --delta}, ADS as {@code DELTA_GRPC}): traffic, splits, endpoint changes, a bad
 * file, and a restart of the control plane that must not make Envoy replace anything.
 */
class EnvoyDeltaSidecarTest extends EnvoySidecarTest {
  @Override
  String nodeId() {
    return "envoy-e2e-delta-sidecar";
  }

  @Override
  String[] bootstrapArgs() {
    return new String[] {"--delta"};
  }
}
