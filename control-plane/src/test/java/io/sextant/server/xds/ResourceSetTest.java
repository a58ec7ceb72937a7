package io.sextant.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.sextant.translator.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ResourceSetTest {
  private static final String CLA =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  /** Assignments of clusters a, b and c, each with one endpoint on the given port. */
  private static Layer layer(Map<String, Integer> ports) {
    List<ClusterLoadAssignment> out = new ArrayList<>();
    new TreeMap<>(ports).forEach((cluster, port) -> out.add(cla(cluster, port)));
    return new Layer("eds", out);
  }

  private static ClusterLoadAssignment cla(String cluster, int port) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(
                    LbEndpoint.newBuilder()
                        .setEndpoint(
                            Endpoint.newBuilder()
                                .setAddress(
                                    Address.newBuilder()
                                        .setSocketAddress(
                                            SocketAddress.newBuilder()
                                                .setAddress("10.0.0.1")
                                                .setPortValue(port))))))
        .build();
  }

  private final ResourceSet first = ResourceSet.of(layer(Map.of("a", 1, "b", 1, "c", 1)), null);

  @Test
  void theSameMessages_areTheSameSet() {
    Layer layer = layer(Map.of("a", 1, "b", 1, "c", 1));
    ResourceSet set = ResourceSet.of(layer, null);

    assertThat(ResourceSet.of(new Layer("eds", layer.resources()), set)).isSameAs(set);
  }

  @Test
  void equalMessages_leaveNothingToSend_andKeepTheBytesAndVersion() {
    ResourceSet again = ResourceSet.of(layer(Map.of("a", 1, "b", 1, "c", 1)), first);

    assertThat(again.changedSince(first)).contains(Set.of());
    assertThat(again.hash()).isEqualTo(first.hash());
    assertThat(again.get("a").bytes()).isSameAs(first.get("a").bytes());
    assertThat(again.get("a").version()).isEqualTo(first.get("a").version());
  }

  @Test
  void equalMessages_becomeTheSources_soTheNextSetOfThemIsNotSerializedAgain() {
    // A layer recomputed with the same content (after a rule change), whose messages later sets
    // are built from again (the endpoint pushes that follow).
    Layer recomputed = layer(Map.of("a", 1, "b", 1, "c", 1));
    ResourceSet again = ResourceSet.of(recomputed, first);

    assertThat(again.get("a").source()).isSameAs(recomputed.resources().get(0));
    assertThat(ResourceSet.of(new Layer("eds", recomputed.resources()), again)).isSameAs(again);
  }

  @Test
  void oneChangedResource_isAllThatChanged_andTheOthersAreReused() {
    ResourceSet next = ResourceSet.of(layer(Map.of("a", 1, "b", 2, "c", 1)), first);

    assertThat(next.changedSince(first)).contains(Set.of("b"));
    assertThat(next.get("a").bytes()).isSameAs(first.get("a").bytes());
    assertThat(next.get("b").version()).isNotEqualTo(first.get("b").version());
    assertThat(next.hash()).isNotEqualTo(first.hash());
  }

  @Test
  void addedAndRemovedResources_countAsChanged_acrossSeveralSteps() {
    ResourceSet second = ResourceSet.of(layer(Map.of("a", 1, "b", 1)), first);
    ResourceSet third = ResourceSet.of(layer(Map.of("a", 3, "b", 1, "d", 1)), second);

    assertThat(third.changedSince(second)).contains(Set.of("a", "d"));
    assertThat(third.changedSince(first)).contains(Set.of("a", "c", "d"));
    assertThat(first.changedSince(third)).as("not derived from it").isEmpty();
  }

  @Test
  void aSetOfAsManyResources_underOtherNames_findsEachByItsOwnName() {
    // b gone and d come: as many assignments as before, but c no longer stands where it stood.
    ResourceSet next = ResourceSet.of(layer(Map.of("a", 1, "c", 1, "d", 1)), first);

    assertThat(next.changedSince(first)).contains(Set.of("b", "d"));
    assertThat(next.get("b")).isNull();
    assertThat(next.get("c").bytes()).isSameAs(first.get("c").bytes());
    assertThat(next.get("d").name()).isEqualTo("d");
    assertThat(first.get("b").name()).isEqualTo("b");
    assertThat(first.get("d")).isNull();
  }

  @Test
  void aSetOfTheSameNames_findsEachByName_likeThePreviousSet() {
    ResourceSet next = ResourceSet.of(layer(Map.of("a", 1, "b", 2, "c", 1)), first);
    ResourceSet after = ResourceSet.of(layer(Map.of("a", 1, "b", 2, "c", 3)), next);

    for (String name : List.of("a", "b", "c")) {
      assertThat(after.get(name).name()).isEqualTo(name);
    }
    assertThat(after.get("c").version()).isNotEqualTo(next.get("c").version());
    assertThat(after.get("d")).isNull();
  }

  @Test
  void aSetFewStepsBehind_isAnsweredFromHistory_howeverLongTheLayerHasChanged() {
    List<ResourceSet> sets = new ArrayList<>(List.of(first));
    for (int port = 2; port < 200; port++) {
      sets.add(ResourceSet.of(layer(Map.of("a", port, "b", 1, "c", 1)), sets.get(sets.size() - 1)));
    }
    ResourceSet last = sets.get(sets.size() - 1);
    sets.set(150, ResourceSet.of(layer(Map.of("a", 150, "b", 7, "c", 1)), sets.get(149)));
    ResourceSet afterB = ResourceSet.of(layer(Map.of("a", 1, "b", 7, "c", 1)), sets.get(150));

    assertThat(last.changedSince(sets.get(190))).contains(Set.of("a"));
    assertThat(last.changedSince(sets.get(136))).as("63 steps back").contains(Set.of("a"));
    assertThat(last.changedSince(sets.get(100))).as("beyond the window").isEmpty();
    assertThat(afterB.changedSince(sets.get(149))).contains(Set.of("a", "b"));
  }

  @Test
  void setsOnAnotherBranch_areNotAnsweredFromHistory() {
    ResourceSet left = ResourceSet.of(layer(Map.of("a", 2, "b", 1, "c", 1)), first);
    ResourceSet right = ResourceSet.of(layer(Map.of("a", 1, "b", 2, "c", 1)), first);
    ResourceSet afterRight = ResourceSet.of(layer(Map.of("a", 1, "b", 2, "c", 3)), right);

    assertThat(afterRight.changedSince(right)).contains(Set.of("c"));
    assertThat(afterRight.changedSince(first)).contains(Set.of("b", "c"));
    assertThat(afterRight.changedSince(left)).as("left is a sibling, not an ancestor").isEmpty();
  }

  @Test
  void theVersionHash_dependsOnContentOnly_notOnHistory() {
    ResourceSet viaChanges =
        ResourceSet.of(
            layer(Map.of("a", 1, "b", 1, "c", 1)),
            ResourceSet.of(layer(Map.of("a", 5, "c", 1)), first));
    ResourceSet fresh = ResourceSet.of(layer(Map.of("a", 1, "b", 1, "c", 1)), null);

    assertThat(viaChanges.hash()).isEqualTo(fresh.hash()).isEqualTo(first.hash());
  }

  @Test
  void stateOfTheWorldEntries_carryTheSubscribedResourcesOnly() throws Exception {
    ResourceSet.Encoding encoding = first.entries(false, XdsStream.subscription(Set.of("a", "c")));

    DiscoveryResponse decoded = DiscoveryResponse.parseFrom(encoding.bytes());
    assertThat(encoding.count()).isEqualTo(2);
    assertThat(decoded.getResourcesList())
        .extracting(any -> any.unpack(ClusterLoadAssignment.class).getClusterName())
        .containsExactly("a", "c");
    assertThat(decoded.getResources(0).getTypeUrl()).isEqualTo(CLA);
  }

  @Test
  void deltaEntries_carryNameVersionAndResource() throws Exception {
    ResourceSet.Encoding encoding = first.entries(true);

    DeltaDiscoveryResponse decoded = DeltaDiscoveryResponse.parseFrom(encoding.bytes());
    assertThat(decoded.getResourcesList())
        .extracting(Resource::getName)
        .containsExactly("a", "b", "c");
    Resource b = decoded.getResources(1);
    assertThat(b.getVersion()).isEqualTo(first.get("b").version());
    assertThat(b.getResource().unpack(ClusterLoadAssignment.class)).isEqualTo(cla("b", 1));
  }

  @Test
  void aSubscriptionToEverything_sharesTheWholeSetsEncoding() {
    ResourceSet.Encoding all = first.entries(false);

    assertThat(first.entries(false, XdsStream.subscription(Set.of("a", "b", "c", "zz"))))
        .isSameAs(all);
  }
}
