package io.sextant.e2e;

/**
 * The same contract through a real Envoy sidecar that speaks state-of-the-world xDS ({@code sextant
 * bootstrap --sotw}, ADS as {@code GRPC}) rather than the default, incremental (delta) xDS.
 */
class EnvoySotwSidecarTest extends EnvoySidecarTest {
  @Override
  String nodeId() {
    return "envoy-e2e-sotw-sidecar";
  }

  @Override
  String xdsFlavour() {
    return "sotw";
  }

  @Override
  String[] bootstrapArgs() {
    return new String[] {"--sotw"};
  }
}
