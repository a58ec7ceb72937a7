package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.fixtures.Services;
import io.sextant.model.MeshService;
import io.sextant.model.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortDomainsTest {
  private static PortDomains onPort9080(MeshService... services) {
    List<Map.Entry<MeshService, ServicePort>> http =
        List.of(services).stream()
            .map(s -> Map.entry(s, s.service().port(9080).orElseThrow()))
            .toList();
    return new PortDomains(http, 9080, "cluster.local");
  }

  @Test
  void aServicesBareName_isADomainOnlyInItsOwnNamespace() {
    PortDomains port =
        onPort9080(Services.http("reviews.shop.svc.cluster.local", 9080).namespace("shop").build());

    assertThat(port.forNamespace("shop").get(0))
        .containsExactly(
            "reviews.shop.svc.cluster.local",
            "reviews.shop.svc.cluster.local:9080",
            "reviews",
            "reviews:9080",
            "reviews.shop",
            "reviews.shop:9080",
            "reviews.shop.svc",
            "reviews.shop.svc:9080");
    assertThat(port.forNamespace("web").get(0))
        .containsExactly(
            "reviews.shop.svc.cluster.local",
            "reviews.shop.svc.cluster.local:9080",
            "reviews.shop",
            "reviews.shop:9080",
            "reviews.shop.svc",
            "reviews.shop.svc:9080");
  }

  /** Envoy rejects a route configuration that lists a domain twice: the first claim wins. */
  @Test
  void aVirtualIpTwoServicesShare_goesToTheFirstOnly_inEveryNamespace() {
    PortDomains port =
        onPort9080(
            Services.http("a.shop.svc.cluster.local", 9080)
                .namespace("shop")
                .address("10.96.0.7")
                .build(),
            Services.http("b.shop.svc.cluster.local", 9080)
                .namespace("shop")
                .address("10.96.0.7")
                .build(),
            Services.http("c.web.svc.cluster.local", 9080).namespace("web").build());

    for (String namespace : List.of("shop", "web")) {
      List<List<String>> domains = port.forNamespace(namespace);
      assertThat(domains.get(0)).as(namespace).contains("10.96.0.7", "10.96.0.7:9080");
      assertThat(domains.get(1))
          .as(namespace)
          .doesNotContain("10.96.0.7", "10.96.0.7:9080")
          .contains("b.shop", "b.shop.svc:9080");
      assertThat(domains.get(2)).as(namespace).contains("c.web", "c.web:9080");
    }
    assertThat(port.forNamespace("web").get(2)).contains("c", "c:9080");
    assertThat(port.forNamespace("shop").get(2)).doesNotContain("c", "c:9080");
  }

  /** The bare name of reviews.shop is a hostname of its own here; only in shop would they clash. */
  @Test
  void anAliasThatIsAnotherServicesHostname_isLeftToThatService() {
    PortDomains port =
        onPort9080(
            Services.http("reviews", 9080).namespace("shop").build(),
            Services.http("reviews.shop.svc.cluster.local", 9080).namespace("shop").build());

    assertThat(port.forNamespace("shop").get(1)).doesNotContain("reviews", "reviews:9080");
    assertThat(port.forNamespace("shop").get(0)).containsExactly("reviews", "reviews:9080");
    assertThat(port.forNamespace("web").get(1)).contains("reviews.shop").doesNotContain("reviews");
  }
}
