package io.sextant.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sextant.model.Locality;
import io.sextant.model.Protocol;
import io.sextant.registry.zookeeper.TreeLayout.Reading;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CuratorLayoutTest {
  private final CuratorLayout layout = new CuratorLayout("/services", Protocol.TCP);

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static byte[] curatorJson(Map<String, Object> payload) throws Exception {
    ServiceInstance<Map> instance =
        ServiceInstance.<Map>builder()
            .name("reviews")
            .id("r1")
            .address("10.0.0.1")
            .port(9080)
            .payload(payload)
            .build();
    return new JsonInstanceSerializer<>(Map.class).serialize(instance);
  }

  @Test
  void curatorsOwnJson_givesAddressPort_andThePayloadsScalarsAsLabels() throws Exception {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("version", "v1");
    payload.put("weight", 3);
    payload.put("canary", true);
    payload.put("metadata", Map.of("nested", "left out"));
    payload.put("tags", java.util.List.of("left", "out"));

    Reading reading = layout.read("/services/reviews/r1", curatorJson(payload));

    Instance instance = reading.instance();
    assertThat(instance.address()).isEqualTo("10.0.0.1");
    assertThat(instance.port()).isEqualTo(9080);
    assertThat(instance.protocol()).isEqualTo(Protocol.TCP);
    assertThat(instance.labels())
        .isEqualTo(Map.of("version", "v1", "weight", "3", "canary", "true"));
    assertThat(instance.locality()).isEqualTo(Locality.UNKNOWN);
    assertThat(reading.note()).isEmpty();
  }

  @Test
  void payloadRegionAndZone_giveTheLocality_andProtocolTheProtocol() {
    Reading reading =
        layout.read(
            "/services/reviews/r1",
            utf8(
                """
                {"name":"reviews","id":"r1","address":"10.0.0.1","port":9080,
                 "payload":{"region":"eu-west","zone":"eu-west-1b","protocol":"HTTP2"}}"""));

    assertThat(reading.instance().locality()).isEqualTo(new Locality("eu-west", "eu-west-1b", ""));
    assertThat(reading.instance().protocol()).isEqualTo(Protocol.HTTP2);
  }

  @Test
  void unknownPayloadProtocol_fallsBackToTheDefault_withANoteForTheOperator() {
    Reading reading =
        layout.read(
            "/services/reviews/r1",
            utf8("{\"address\":\"10.0.0.1\",\"port\":9080,\"payload\":{\"protocol\":\"thrift\"}}"));

    assertThat(reading.instance().protocol()).isEqualTo(Protocol.TCP);
    assertThat(reading.note()).hasValueSatisfying(n -> assertThat(n).contains("thrift"));
  }

  @Test
  void instanceWithOnlyAnSslPort_listensOnIt() {
    Reading reading =
        layout.read(
            "/services/reviews/r1",
            utf8("{\"address\":\"10.0.0.1\",\"port\":null,\"sslPort\":9443,\"payload\":null}"));

    assertThat(reading.instance().port()).isEqualTo(9443);
    assertThat(reading.instance().labels()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{not json                                 | not JSON",
        "[1, 2]                                    | not a JSON ServiceInstance object",
        "{\"port\": 9080}                          | no address",
        "{\"address\": \"10.0.0.1\"}               | no port",
        "{\"address\": \"10.0.0.1\", \"port\": 0}  | port is not a port",
        "{\"address\": \"10.0.0.1\", \"port\": \"x\"} | port is not a port",
      })
  void unreadableNode_saysWhatIsWrong(String data, String problem) {
    assertThatThrownBy(() -> layout.read("/services/reviews/r1", utf8(data)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem);
  }

  @Test
  void nodeWithoutData_isUnreadable() {
    assertThatThrownBy(() -> layout.read("/services/reviews/r1", new byte[0]))
        .hasMessageContaining("no data");
  }

  @Test
  void basePath_losesATrailingSlash_andMustBeAbsolute() {
    ZooKeeperSettings settings =
        ZooKeeperSettings.defaults("127.0.0.1:2181", ZooKeeperSettings.Layout.CURATOR);
    assertThat(TreeLayout.root(withBasePath(settings, "/apps/services/")))
        .isEqualTo("/apps/services");
    assertThat(TreeLayout.root(withBasePath(settings, "/"))).isEqualTo("/");
    assertThat(TreeLayout.root(settings)).isEqualTo("/services");
    assertThatThrownBy(() -> TreeLayout.root(withBasePath(settings, "services")))
        .hasMessageContaining("basePath must start with '/'");
  }

  private static ZooKeeperSettings withBasePath(ZooKeeperSettings s, String basePath) {
    return new ZooKeeperSettings(
        s.connectString(),
        s.layout(),
        Optional.of(basePath),
        s.hostname(),
        s.namespace(),
        s.defaultProtocol(),
        s.sessionTimeout(),
        s.staleAfter());
  }

  @ParameterizedTest
  @CsvSource({
    "/services/reviews/r1, reviews",
    "/services/reviews, ",
    "/services, ",
    "/services/reviews/r1/child, ",
    "/other/reviews/r1, ",
    "/servicesx/reviews/r1, ",
  })
  void onlyNodesTwoLevelsBelowTheBase_areInstances(String path, String service) {
    assertThat(layout.serviceOf(path)).isEqualTo(Optional.ofNullable(service));
  }
}
