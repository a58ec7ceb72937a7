package io.sextant.translator.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointsTest {
  private static Endpoint at(String address, String zone, int priority, HealthStatus health) {
    return new Endpoint(
        address, 9080, 9080, Map.of(), new Locality("eu", zone, ""), health, 1, "r", priority);
  }

  private static List<String> addresses(LocalityLbEndpoints l) {
    return l.getLbEndpointsList().stream()
        .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
        .toList();
  }

  @Test
  void registryPriorities_becomeGaplessEdsPriorities_perLocality() {
    ClusterLoadAssignment cla =
        Endpoints.assignment(
            "c",
            List.of(
                at("10.0.0.1", "a", 0, HealthStatus.HEALTHY),
                at("10.0.0.2", "b", 0, HealthStatus.HEALTHY),
                at("10.0.5.1", "a", 5, HealthStatus.HEALTHY),
                at("10.0.2.1", "a", 2, HealthStatus.HEALTHY)));

    assertThat(cla.getEndpointsList())
        .extracting(
            LocalityLbEndpoints::getPriority, l -> l.getLocality().getZone(), l -> addresses(l))
        .containsExactly(
            tuple(0, "a", List.of("10.0.0.1")),
            tuple(0, "b", List.of("10.0.0.2")),
            tuple(1, "a", List.of("10.0.2.1")),
            tuple(2, "a", List.of("10.0.5.1")));
  }

  @Test
  void aLocalityInSeveralPriorities_isMadeDistinct_becauseGrpcKeysLocalitiesByLocality() {
    ClusterLoadAssignment cla =
        Endpoints.assignment(
            "c",
            List.of(
                at("10.0.0.1", "a", 0, HealthStatus.HEALTHY),
                at("10.0.1.1", "a", 1, HealthStatus.HEALTHY),
                at("10.0.1.2", "b", 1, HealthStatus.HEALTHY)));

    assertThat(cla.getEndpointsList())
        .extracting(
            LocalityLbEndpoints::getPriority,
            l -> l.getLocality().getZone(),
            l -> l.getLocality().getSubZone())
        .containsExactly(tuple(0, "a", ""), tuple(1, "a", "~priority-1"), tuple(1, "b", ""));
  }

  @Test
  void aPriorityWithoutHealthyEndpoints_leavesNoGap() {
    ClusterLoadAssignment cla =
        Endpoints.assignment(
            "c",
            List.of(
                at("10.0.0.1", "a", 0, HealthStatus.UNHEALTHY),
                at("10.0.1.1", "a", 1, HealthStatus.HEALTHY)));

    assertThat(cla.getEndpointsList())
        .extracting(LocalityLbEndpoints::getPriority, l -> addresses(l))
        .containsExactly(tuple(0, List.of("10.0.1.1")));
  }
}
