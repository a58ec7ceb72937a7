package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.sextant.translator.envoy.Clusters;
import io.sextant.translator.envoy.Endpoints;
import io.sextant.translator.envoy.Listeners;
import io.sextant.translator.envoy.Routes;
import io.sextant.translator.envoy.Routes.WeightedDestination;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotConsistencyTest {
  private static final String CLUSTER = "outbound|80||a.example.com";

  private static RouteConfiguration routesTo(String name, String cluster, String domain) {
    return Routes.routeConfiguration(
        name,
        List.of(
            Routes.virtualHost(
                "vh-" + cluster,
                List.of(domain),
                List.of(
                    Routes.forward(
                        "r", Routes.prefix("/"), List.of(new WeightedDestination(cluster, 1)))))));
  }

  /** Two virtual hosts, the second named other, both claiming the domain "same". */
  private static RouteConfiguration sameDomainTwice(String name) {
    return Routes.routeConfiguration(
        name,
        List.of(
            routesTo("x", CLUSTER, "same").getVirtualHosts(0),
            routesTo("y", CLUSTER, "same").getVirtualHosts(0).toBuilder()
                .setName("other")
                .build()));
  }

  private static Listener httpListener(String name, int port, String rds) {
    return Listeners.listener(name, "0.0.0.0", port, true, TrafficDirection.OUTBOUND)
        .addFilterChains(
            Listeners.chain(
                "http", Listeners.httpFilter(Listeners.rdsConnectionManager(name, rds))))
        .build();
  }

  private static XdsResources consistent() {
    return new XdsResources(
        List.of(httpListener("0.0.0.0_80", 80, "80")),
        List.of(routesTo("80", CLUSTER, "a.example.com")),
        List.of(Clusters.eds(CLUSTER, false)),
        List.of(Endpoints.assignment(CLUSTER, List.of())));
  }

  @Test
  void translatorOutput_withEmptyAssignment_isConsistent() {
    assertThat(SnapshotConsistency.check(consistent())).isEmpty();
  }

  @Test
  void routeToMissingCluster_isNamed() {
    XdsResources r = consistent();
    XdsResources broken =
        new XdsResources(
            r.listeners(),
            List.of(routesTo("80", "outbound|80||gone", "a")),
            r.clusters(),
            r.endpoints());

    assertThat(SnapshotConsistency.check(broken))
        .containsExactly(
            "route configuration 80 virtual host vh-outbound|80||gone routes to a missing cluster outbound|80||gone");
  }

  @Test
  void edsClusterWithoutAssignment_isNamed() {
    XdsResources r = consistent();

    assertThat(SnapshotConsistency.check(r.withEndpoints(List.of())))
        .containsExactly("EDS cluster " + CLUSTER + " has no assignment " + CLUSTER);
  }

  @Test
  void duplicateDomainsAndAddresses_andMissingRds_areNamed() {
    RouteConfiguration twoHosts = sameDomainTwice("80");
    XdsResources broken =
        new XdsResources(
            List.of(httpListener("one", 80, "80"), httpListener("two", 80, "81")),
            List.of(twoHosts),
            consistent().clusters(),
            consistent().endpoints());

    assertThat(SnapshotConsistency.check(broken))
        .containsExactlyInAnyOrder(
            "route configuration 80 lists domain same twice (virtual host other)",
            "listener two reuses address 0.0.0.0:80",
            "listener two chain http asks for a missing route configuration 81");
  }

  @Test
  void tcpProxyToMissingCluster_isNamed() {
    Listener tcp =
        Listeners.listener("0.0.0.0_3306", "0.0.0.0", 3306, false, TrafficDirection.OUTBOUND)
            .addFilterChains(Listeners.chain("db", Listeners.tcpProxy("db", "outbound|3306||db")))
            .build();
    XdsResources r = consistent();
    XdsResources broken = new XdsResources(List.of(tcp), r.routes(), r.clusters(), r.endpoints());

    assertThat(SnapshotConsistency.check(broken))
        .containsExactly(
            "listener 0.0.0.0_3306 chain db proxies TCP to a missing cluster outbound|3306||db");
  }

  private static ProxyLayers layers(
      List<Listener> listeners, List<RouteConfiguration> routes, List<String> clusters) {
    return new ProxyLayers(
        List.of(new Layer("lds", listeners)),
        List.of(new Layer("rds", routes)),
        List.of(new Layer("cds", clusters.stream().map(c -> Clusters.eds(c, false)).toList())),
        List.of(
            new Layer(
                "eds", clusters.stream().map(c -> Endpoints.assignment(c, List.of())).toList())));
  }

  @Test
  void laterPush_reusingRouteConfigurations_findsWhatAFreshCheckFinds() {
    RouteConfiguration sameDomainTwice = sameDomainTwice("81");
    RouteConfiguration toB = routesTo("80", "outbound|80||b.example.com", "b.example.com");
    List<Listener> listeners = List.of(httpListener("0.0.0.0_80", 80, "80"));
    SnapshotConsistency.Checker first = new SnapshotConsistency.Checker();
    assertThat(
            first.check(
                layers(
                    listeners,
                    List.of(toB, sameDomainTwice),
                    List.of(CLUSTER, "outbound|80||b.example.com"))))
        .containsExactly("route configuration 81 lists domain same twice (virtual host other)");

    // A push that checks nothing (endpoints swapped in place), then a rule change: new layers
    // holding the same route configuration objects, and b's cluster is gone.
    SnapshotConsistency.Checker third = first.next().next();
    List<String> found =
        third.check(layers(listeners, List.of(toB, sameDomainTwice), List.of(CLUSTER)));

    assertThat(found)
        .containsExactlyInAnyOrder(
            "route configuration 81 lists domain same twice (virtual host other)",
            "route configuration 80 virtual host vh-outbound|80||b.example.com routes to a"
                + " missing cluster outbound|80||b.example.com");
    assertThat(found)
        .isEqualTo(
            new SnapshotConsistency.Checker()
                .check(layers(listeners, List.of(toB, sameDomainTwice), List.of(CLUSTER))));
  }

  @Test
  void addressBoundByTwoLayers_isNamed_whicheverLayerIsLarger() {
    List<Listener> outbound =
        List.of(
            httpListener("0.0.0.0_80", 80, "80"),
            httpListener("0.0.0.0_81", 81, "80"),
            httpListener("0.0.0.0_82", 82, "80"));
    List<Listener> inbound = List.of(httpListener("inbound_81", 81, "80"));
    List<RouteConfiguration> routes = List.of(routesTo("80", CLUSTER, "a.example.com"));
    Layer cds = new Layer("cds", List.of(Clusters.eds(CLUSTER, false)));
    Layer eds = new Layer("eds", List.of(Endpoints.assignment(CLUSTER, List.of())));

    for (List<Layer> order :
        List.of(
            List.of(new Layer("out", outbound), new Layer("in", inbound)),
            List.of(new Layer("in", inbound), new Layer("out", outbound)))) {
      String other = order.get(1).resources().size() == 1 ? "inbound_81" : "0.0.0.0_81";
      assertThat(
              new SnapshotConsistency.Checker()
                  .check(
                      new ProxyLayers(
                          order, List.of(new Layer("rds", routes)), List.of(cds), List.of(eds))))
          .containsExactly("listener " + other + " reuses address 0.0.0.0:81");
    }
  }
}
