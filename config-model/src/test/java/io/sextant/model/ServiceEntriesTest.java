package io.sextant.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.networking.ServiceEntries;
import io.sextant.config.networking.ServiceEntry;
import io.sextant.fixtures.Rules;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceEntriesTest {

  @Test
  void everyHost_becomesAService_andEveryEndpointServesEveryPort() {
    ServiceEntry se =
        (ServiceEntry)
            Rules.parse(
                    """
                    apiVersion: networking.istio.io/v1
                    kind: ServiceEntry
                    metadata: {name: shop, namespace: shop}
                    spec:
                      hosts: [a.shop.local, b.shop.local]
                      resolution: STATIC
                      ports:
                      - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
                      - {number: 81, name: tcp-admin}
                      endpoints:
                      - address: 10.0.0.1
                        ports: {http: 9999}
                        labels: {version: v1}
                        locality: r1/z1
                      - address: 10.0.0.2
                        weight: 5
                    """)
                .get(0);

    List<MeshService> services = ServiceEntries.toServices(se, "files");

    assertThat(services)
        .extracting(MeshService::hostname)
        .containsExactly("a.shop.local", "b.shop.local");
    MeshService a = services.get(0);
    assertThat(a.service().namespace()).isEqualTo("shop");
    assertThat(a.service().port(80).orElseThrow().targetPort()).isEqualTo(8080);
    assertThat(a.endpoints(80))
        .extracting(e -> e.address() + ":" + e.port() + " w" + e.weight() + " " + e.locality())
        .containsExactly("10.0.0.2:8080 w5 //", "10.0.0.1:9999 w1 r1/z1/");
    assertThat(a.endpoints(81)).extracting(Endpoint::port).containsOnly(81);
    assertThat(a.endpoints()).allSatisfy(e -> assertThat(e.origin()).isEqualTo("files"));
  }

  @Test
  void dnsEntryWithoutEndpoints_resolvesItsOwnHost() {
    ServiceEntry se =
        (ServiceEntry)
            Rules.parse(
                    """
                    apiVersion: networking.istio.io/v1
                    kind: ServiceEntry
                    metadata: {name: httpbin}
                    spec:
                      hosts: [httpbin.org]
                      resolution: DNS
                      ports: [{number: 80, name: http, protocol: HTTP}]
                    """)
                .get(0);

    MeshService service = ServiceEntries.toServices(se, "files").get(0);

    assertThat(service.service().resolution()).isEqualTo(Resolution.DNS);
    assertThat(service.endpoints())
        .extracting(e -> e.address() + ":" + e.port())
        .containsExactly("httpbin.org:80");
  }
}
