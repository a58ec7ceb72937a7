package io.sextant.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sextant.model.Locality;
import io.sextant.model.Protocol;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DubboLayoutTest {
  private final DubboLayout layout = new DubboLayout("/dubbo", Protocol.HTTP2);

  /** The node Dubbo creates for a URL: the whole URL encoded as one name. */
  private static String entry(String url) {
    return "/dubbo/com.foo.DemoService/providers/" + URLEncoder.encode(url, StandardCharsets.UTF_8);
  }

  private Instance read(String url) {
    return layout.read(entry(url), null).instance();
  }

  @Test
  void providerUrl_givesAddressPort_andEveryParameterAsALabel() {
    Instance instance =
        read(
            "dubbo://10.0.0.1:20880/com.foo.DemoService?version=1.0.0&group=g1&application=demo"
                + "&side=provider&methods=a,b&timestamp=1700000000000");

    assertThat(instance.address()).isEqualTo("10.0.0.1");
    assertThat(instance.port()).isEqualTo(20880);
    assertThat(instance.protocol()).isEqualTo(Protocol.TCP);
    assertThat(instance.labels())
        .isEqualTo(
            Map.of(
                "version", "1.0.0",
                "group", "g1",
                "application", "demo",
                "side", "provider",
                "methods", "a,b",
                "timestamp", "1700000000000"));
    assertThat(instance.locality()).isEqualTo(Locality.UNKNOWN);
  }

  @ParameterizedTest
  @CsvSource({
    "dubbo, TCP",
    "DUBBO, TCP",
    "tri, GRPC",
    "grpc, GRPC",
    "http, HTTP",
    "rest, HTTP",
    "hessian, HTTP2",
    "thrift, HTTP2",
  })
  void urlScheme_givesTheProtocol_elseTheDefault(String scheme, Protocol protocol) {
    assertThat(read(scheme + "://10.0.0.1:20880/com.foo.DemoService").protocol())
        .isEqualTo(protocol);
  }

  @Test
  void parameterValues_areDecoded_butAPlusStaysAPlus() {
    // A value Dubbo encoded before encoding the whole URL, and a semver build suffix.
    Instance instance =
        read("tri://10.0.0.1:50051/com.foo.DemoService?tag=a%2Cb&version=1.0.0+build.5&flag");

    assertThat(instance.labels())
        .isEqualTo(Map.of("tag", "a,b", "version", "1.0.0+build.5", "flag", ""));
  }

  @Test
  void ipv6Provider_keepsItsAddress() {
    Instance instance = read("dubbo://[fd00::1]:20880/com.foo.DemoService?version=2");

    assertThat(instance.address()).isEqualTo("fd00::1");
    assertThat(instance.port()).isEqualTo(20880);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "dubbo%3A%2F%2F10.0.0.1%3A2088%zz            | not URL-encoded",
        "10.0.0.1%3A20880                            | not a URL",
        "dubbo%3A%2F%2F10.0.0.1%2Fcom.foo.Demo       | no port",
        "dubbo%3A%2F%2F10.0.0.1%3A99999%2Fcom.foo.Demo | not a port",
        "dubbo%3A%2F%2F%3A20880%2Fcom.foo.Demo       | no host",
      })
  void unreadableEntry_saysWhatIsWrong(String name, String problem) {
    assertThatThrownBy(() -> layout.read("/dubbo/com.foo.Demo/providers/" + name, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem);
  }

  @ParameterizedTest
  @CsvSource({
    "/dubbo/com.foo.DemoService/providers/dubbo%3A%2F%2F10.0.0.1%3A20880, com.foo.DemoService",
    "/dubbo/com.foo.DemoService/providers, ",
    "/dubbo/com.foo.DemoService/consumers/consumer%3A%2F%2F10.0.0.7, ",
    "/dubbo/com.foo.DemoService/configurators/override%3A%2F%2F0.0.0.0, ",
    "/dubbo/com.foo.DemoService/routers/condition%3A%2F%2F0.0.0.0, ",
    "/dubbo/config/dubbo/demo.configurators, ",
    "/dubbo/metadata/com.foo.DemoService/provider/demo, ",
  })
  void onlyEntriesUnderProviders_areInstances(String path, String service) {
    assertThat(layout.serviceOf(path)).isEqualTo(Optional.ofNullable(service));
  }
}
