package io.sextant.registry.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.ecwid.consul.json.GsonFactory;
import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;
import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.ServicePort;
import io.sextant.registry.consul.ConsulServices.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConsulServicesTest {

  /** A health entry as Consul's JSON has it, read by consul-api's own Gson. */
  private static HealthService entry(String json) {
    return GsonFactory.getGson().fromJson(json, HealthService.class);
  }

  private static Check check(String id, String status) {
    return GsonFactory.getGson()
        .fromJson("{\"CheckID\":\"" + id + "\",\"Status\":\"" + status + "\"}", Check.class);
  }

  private static Instance instance(String dc, String node, String id, int port, String protocol) {
    return new Instance(
        dc,
        node,
        id,
        "10.0.0." + port % 250,
        port,
        Map.of(),
        Locality.UNKNOWN,
        HealthStatus.HEALTHY,
        Optional.ofNullable(protocol));
  }

  @Test
  void healthEntry_becomesAnInstance_withNodeMetaLocality() {
    HealthService e =
        entry(
            """
            {"Node": {"Node": "n1", "Address": "10.0.0.9", "Datacenter": "dc1",
                      "Meta": {"region": "eu", "zone": "eu-1a", "subzone": "rack-3"}},
             "Service": {"ID": "web-1", "Service": "web", "Tags": ["v1"], "Address": "10.0.0.1",
                         "Meta": {"protocol": "grpc"}, "Port": 8080},
             "Checks": [{"CheckID": "serfHealth", "Status": "passing"},
                        {"CheckID": "service:web-1", "Status": "passing", "ServiceID": "web-1"}]}
            """);

    Instance i = ConsulServices.instance(e, "dc1", false, ConsulSettings.LocalityKeys.DEFAULT);

    assertThat(i.address()).isEqualTo("10.0.0.1");
    assertThat(i.port()).isEqualTo(8080);
    assertThat(i.node()).isEqualTo("n1");
    assertThat(i.locality()).isEqualTo(new Locality("eu", "eu-1a", "rack-3"));
    assertThat(i.health()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(i.protocol()).contains("grpc");
  }

  @Test
  void instanceWithoutServiceAddress_usesTheNodeAddress_andOneWithoutPortIsRefused() {
    String json =
        """
        {"Node": {"Node": "n1", "Address": "10.0.0.9"},
         "Service": {"ID": "web-1", "Service": "web", "Address": "", "Port": %d},
         "Checks": []}
        """;
    ConsulSettings.LocalityKeys keys = ConsulSettings.LocalityKeys.DEFAULT;

    assertThat(ConsulServices.instance(entry(json.formatted(80)), "dc1", false, keys).address())
        .isEqualTo("10.0.0.9");
    assertThatThrownBy(() -> ConsulServices.instance(entry(json.formatted(0)), "dc1", false, keys))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("web-1")
        .hasMessageContaining("port");
  }

  @Test
  void labels_tagsThenMetaThenDatacenter() {
    Map<String, String> labels =
        ConsulServices.labels(
            List.of("canary", "env=prod", "team=blue", "expr=a=b", "=orphan", ""),
            Map.of("team", "green", "consul.datacenter", "spoofed"),
            "dc1");

    assertThat(labels)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "canary", "",
                "env", "prod",
                "team", "green",
                "expr", "a=b",
                "consul.datacenter", "dc1"));
  }

  @ParameterizedTest(name = "{0} with includeWarning={1} -> {2}")
  @CsvSource({
    "'passing,passing', false, HEALTHY",
    "'', false, HEALTHY",
    "'passing,warning', false, UNHEALTHY",
    "'passing,warning', true, HEALTHY",
    "'warning,critical', true, UNHEALTHY",
    "'critical,passing', false, UNHEALTHY",
    "'passing,nonsense', true, UNHEALTHY",
  })
  void health_isTheWorstCheck(String statuses, boolean includeWarning, HealthStatus expected) {
    List<Check> checks = new ArrayList<>();
    int n = 0;
    for (String status : statuses.split(",")) {
      if (!status.isEmpty()) {
        checks.add(check("check-" + n++, status));
      }
    }

    assertThat(ConsulServices.health(checks, includeWarning)).isEqualTo(expected);
  }

  @Test
  void maintenanceOfTheServiceOrTheNode_drains() {
    assertThat(
            ConsulServices.health(
                List.of(
                    check("serfHealth", "passing"),
                    check("_service_maintenance:web-1", "critical")),
                false))
        .isEqualTo(HealthStatus.DRAINING);
    assertThat(ConsulServices.health(List.of(check("_node_maintenance", "critical")), true))
        .isEqualTo(HealthStatus.DRAINING);
  }

  @Test
  void hostname_fromTheTemplate_inLowerCase_onlyForDnsLabels() {
    assertThat(ConsulServices.hostname("{name}.service.consul", "Web", "dc1"))
        .contains("web.service.consul");
    assertThat(ConsulServices.hostname("{name}.service.{dc}.consul", "web", "EU-West"))
        .contains("web.service.eu-west.consul");
    assertThat(ConsulServices.hostname("{name}.service.consul", "web_v2", "dc1")).isEmpty();
    assertThat(ConsulServices.hostname("{name}.service.consul", "-web", "dc1")).isEmpty();
    assertThat(ConsulServices.hostname("{name}.service.consul", "a".repeat(64), "dc1")).isEmpty();
    assertThat(ConsulServices.hostname("{name}.{dc}.consul", "web", "dc_1")).isEmpty();
  }

  @Test
  void defaultTemplate_namesTheDatacenter_onlyWhenThereAreSeveral() {
    assertThat(ConsulServices.template(Optional.empty(), 1)).isEqualTo("{name}.service.consul");
    assertThat(ConsulServices.template(Optional.empty(), 2))
        .isEqualTo("{name}.service.{dc}.consul");
    assertThat(ConsulServices.template(Optional.of("{name}.mesh"), 2)).isEqualTo("{name}.mesh");
  }

  @Test
  void meshService_hasOnePort_theSmallest_namedAfterTheFirstInstancesProtocol() {
    List<Instance> instances =
        List.of(
            instance("dc1", "node-b", "web-2", 9090, "tcp"),
            instance("dc1", "node-a", "web-1", 8080, "grpc"),
            instance("dc2", "node-a", "web-3", 7070, null));

    MeshService web =
        ConsulServices.meshService("web.consul", instances, "mesh", Protocol.HTTP, "consul")
            .orElseThrow();

    // dc1/node-a/web-1 comes first whatever order Consul answered in.
    assertThat(web.service().ports())
        .containsExactly(new ServicePort("grpc", 7070, Protocol.GRPC, 7070));
    assertThat(web.service().namespace()).isEqualTo("mesh");
    assertThat(web.endpoints())
        .extracting(Endpoint::port, Endpoint::servicePort, Endpoint::weight, Endpoint::origin)
        .containsExactlyInAnyOrder(
            tuple(8080, 7070, 1, "consul"),
            tuple(9090, 7070, 1, "consul"),
            tuple(7070, 7070, 1, "consul"));
  }

  @Test
  void protocolMetaThatIsNoProtocol_andNoInstances() {
    assertThat(
            ConsulServices.protocol(
                List.of(instance("dc1", "n", "web-1", 80, "thrift")), Protocol.HTTP2))
        .isEqualTo(Protocol.HTTP2);
    assertThat(
            ConsulServices.protocol(List.of(instance("dc1", "n", "web-1", 80, null)), Protocol.TCP))
        .isEqualTo(Protocol.TCP);
    assertThat(ConsulServices.meshService("web.consul", List.of(), "default", Protocol.TCP, "c"))
        .isEmpty();
  }
}
