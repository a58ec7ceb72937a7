package io.sextant.registry.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.Resolution;
import io.sextant.model.ServicePort;
import io.sextant.registry.Poll;
import io.sextant.registry.RecordingListener;
import io.sextant.registry.ServiceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Consul registry against {@link FakeConsul}, or against the real agent that {@code
 * CONSUL_HTTP_ADDR} names. Tests that need two datacenters, an outage, or to see the requests
 * themselves run on the fake only and say so when skipped.
 */
class ConsulRegistryTest {
  private ConsulBackend consul;
  private final List<ConsulRegistry> registries = new ArrayList<>();
  private final RecordingListener events = new RecordingListener();
  private ConsulRegistry registry;

  @BeforeEach
  void connect() {
    consul = ConsulBackend.fromEnvironment();
  }

  @AfterEach
  void close() {
    registries.forEach(ConsulRegistry::close);
    consul.close();
  }

  // Helpers.

  private TestSettings settings() {
    return new TestSettings(consul.address())
        .token(consul.token())
        .datacenters(List.of(consul.datacenter()));
  }

  private ConsulRegistry startRegistry(TestSettings settings) {
    registry = newRegistry("consul", settings, events);
    Poll.until(() -> assertThat(registry.hasSynced()).isTrue());
    return registry;
  }

  private ConsulRegistry newRegistry(
      String name, TestSettings settings, RecordingListener listener) {
    ConsulRegistry r = new ConsulRegistry(name, settings.build());
    registries.add(r);
    r.start(listener);
    return r;
  }

  /** A passing instance in the backend's datacenter, named for this run. */
  private Registration instance(String service, String id, String address, int port) {
    return Registration.of(consul.name(service), consul.name(id), address, port)
        .inDatacenter(consul.datacenter());
  }

  private String host(String service) {
    return consul.name(service) + ".service.consul";
  }

  private static Optional<MeshService> find(ConsulRegistry r, String hostname) {
    return r.services().stream().filter(s -> s.hostname().equals(hostname)).findFirst();
  }

  private MeshService served(String hostname) {
    return find(registry, hostname)
        .orElseThrow(() -> new AssertionError(hostname + " is not served"));
  }

  private Endpoint endpoint(MeshService service, String address) {
    return service.endpoints().stream()
        .filter(e -> e.address().equals(address))
        .findFirst()
        .orElseThrow(() -> new AssertionError(address + " is not an endpoint of " + service));
  }

  private FakeConsul fakeOnly(String why) {
    assumeTrue(
        consul.fake().isPresent(),
        "needs the fake Consul (" + why + "); skipped against the real agent at CONSUL_HTTP_ADDR");
    return consul.fake().get();
  }

  private static boolean threadAlive(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.isAlive() && t.getName().startsWith(prefix));
  }

  // First sync and changes.

  @Test
  void firstSync_deliversEveryServiceWithAllItsInstances_beforeHasSynced() {
    consul.register(instance("web", "web-1", "10.0.0.1", 8080));
    consul.register(instance("web", "web-2", "10.0.0.2", 9090));
    consul.register(instance("api", "api-1", "10.0.1.1", 7000));

    startRegistry(settings());

    assertThat(events.about(host("web"))).containsExactly("ADDED " + host("web"));
    assertThat(events.about(host("api"))).containsExactly("ADDED " + host("api"));
    MeshService web = served(host("web"));
    assertThat(web.service().namespace()).isEqualTo("default");
    assertThat(web.service().resolution()).isEqualTo(Resolution.STATIC);
    assertThat(web.service().labels()).isEmpty();
    assertThat(web.service().addresses()).isEmpty();
    // One port, the smallest; each endpoint keeps the port its instance listens on.
    assertThat(web.service().ports())
        .containsExactly(new ServicePort("tcp", 8080, Protocol.TCP, 8080));
    assertThat(web.endpoints())
        .extracting(
            Endpoint::address,
            Endpoint::port,
            Endpoint::servicePort,
            Endpoint::health,
            Endpoint::weight,
            Endpoint::origin)
        .containsExactly(
            tuple("10.0.0.1", 8080, 8080, HealthStatus.HEALTHY, 1, "consul"),
            tuple("10.0.0.2", 9090, 8080, HealthStatus.HEALTHY, 1, "consul"));
    assertThat(served(host("api")).endpoints()).extracting(Endpoint::port).containsExactly(7000);
  }

  @Test
  void serviceAndInstanceRegisteredAfterTheFirstSync_areAdded() {
    consul.register(instance("web", "web-1", "10.0.0.1", 8080));
    startRegistry(settings());
    events.clear();

    consul.register(instance("api", "api-1", "10.0.1.1", 7000));
    Poll.until(() -> assertThat(find(registry, host("api"))).isPresent());
    assertThat(events.about(host("api"))).containsExactly("ADDED " + host("api"));

    consul.register(instance("web", "web-2", "10.0.0.2", 8080));
    Poll.until(() -> assertThat(served(host("web")).endpoints()).hasSize(2));
    assertThat(events.about(host("web"))).containsExactly("ENDPOINTS_UPDATED " + host("web"));
  }

  @Test
  void instanceOnASmallerPort_movesTheServicePort_andEveryEndpointWithIt() {
    consul.register(instance("web", "web-1", "10.0.0.1", 8080));
    startRegistry(settings());
    events.clear();

    consul.register(instance("web", "web-2", "10.0.0.2", 7070));

    Poll.until(
        () ->
            assertThat(served(host("web")).service().ports())
                .extracting(ServicePort::number)
                .containsExactly(7070));
    assertThat(served(host("web")).endpoints())
        .extracting(Endpoint::port, Endpoint::servicePort)
        .containsExactlyInAnyOrder(tuple(8080, 7070), tuple(7070, 7070));
    assertThat(events.about(host("web"))).containsExactly("UPDATED " + host("web"));
  }

  @Test
  void serviceLeavingTheCatalog_isDeleted_andItsWatchEnds() {
    Registration api = instance("api", "api-1", "10.0.1.1", 7000);
    consul.register(instance("web", "web-1", "10.0.0.1", 8080));
    consul.register(api);
    startRegistry(settings());
    events.clear();

    consul.deregister(api);

    Poll.until(() -> assertThat(find(registry, host("api"))).isEmpty());
    assertThat(events.about(host("api"))).containsExactly("DELETED " + host("api"));
    assertThat(served(host("web")).endpoints()).hasSize(1);
    String watchThread =
        "sextant-consul-consul-health-" + consul.datacenter() + "-" + consul.name("api");
    Poll.until(() -> assertThat(threadAlive(watchThread)).isFalse());
  }

  // Health.

  @Test
  void instanceGoingCritical_staysServedButLeavesHealthy_andComesBack() {
    Registration web2 = instance("web", "web-2", "10.0.0.2", 8080);
    consul.register(instance("web", "web-1", "10.0.0.1", 8080));
    consul.register(web2);
    startRegistry(settings());
    events.clear();

    consul.register(web2.withStatus("critical"));
    Poll.until(
        () ->
            assertThat(endpoint(served(host("web")), "10.0.0.2").health())
                .isEqualTo(HealthStatus.UNHEALTHY));
    assertThat(served(host("web")).endpoints()).hasSize(2);
    assertThat(endpoint(served(host("web")), "10.0.0.1").health()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(events.about(host("web"))).containsExactly("ENDPOINTS_UPDATED " + host("web"));

    consul.register(web2.withStatus("passing"));
    Poll.until(
        () ->
            assertThat(endpoint(served(host("web")), "10.0.0.2").health())
                .isEqualTo(HealthStatus.HEALTHY));
    assertThat(events.about(host("web")))
        .containsExactly("ENDPOINTS_UPDATED " + host("web"), "ENDPOINTS_UPDATED " + host("web"));
  }

  @Test
  void warningInstance_isUnhealthy_unlessIncludeWarningIsSet() {
    consul.register(instance("web", "web-1", "10.0.0.1", 8080).withStatus("warning"));

    startRegistry(settings());
    ConsulRegistry lenient =
        newRegistry("consul-lenient", settings().includeWarning(), new RecordingListener());
    Poll.until(() -> assertThat(lenient.hasSynced()).isTrue());

    assertThat(served(host("web")).endpoints())
        .extracting(Endpoint::health)
        .containsExactly(HealthStatus.UNHEALTHY);
    assertThat(find(lenient, host("web")).orElseThrow().endpoints())
        .extracting(Endpoint::health)
        .containsExactly(HealthStatus.HEALTHY);
  }

  @Test
  void failingNodeCheck_makesItsInstancesUnhealthy_andMaintenanceDrains() {
    consul.register(instance("web", "web-1", "10.0.0.1", 8080).withNodeStatus("critical"));
    consul.register(instance("web", "web-2", "10.0.0.2", 8080).inMaintenance());
    consul.register(instance("web", "web-3", "10.0.0.3", 8080));

    startRegistry(settings());

    assertThat(served(host("web")).endpoints())
        .extracting(Endpoint::address, Endpoint::health)
        .containsExactly(
            tuple("10.0.0.1", HealthStatus.UNHEALTHY),
            tuple("10.0.0.2", HealthStatus.DRAINING),
            tuple("10.0.0.3", HealthStatus.HEALTHY));
  }

  // Mapping.

  @Test
  void tagsAndMetaBecomeLabels_nodeMetaBecomesLocality_andMetaProtocolNamesThePort() {
    consul.register(
        instance("web", "web-1", "10.0.0.1", 8080)
            .withTags("canary", "env=prod", "team=blue")
            .withMeta(Map.of("team", "green", "protocol", "http"))
            .onNode(
                consul.name("node-a"),
                "10.0.0.1",
                Map.of("region", "eu-west", "zone", "eu-west-1a", "rack", "r7")));
    // No service address: the node's is used.
    consul.register(
        instance("web", "web-2", "10.0.0.2", 8080)
            .withServiceAddress("")
            .onNode(consul.name("node-b"), "10.9.9.9", Map.of()));

    startRegistry(settings());

    MeshService web = served(host("web"));
    assertThat(web.service().ports())
        .containsExactly(new ServicePort("http", 8080, Protocol.HTTP, 8080));
    Endpoint tagged = endpoint(web, "10.0.0.1");
    assertThat(tagged.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "canary", "",
                "env", "prod",
                "team", "green",
                "protocol", "http",
                "consul.datacenter", consul.datacenter()));
    assertThat(tagged.locality()).isEqualTo(new Locality("eu-west", "eu-west-1a", ""));
    assertThat(endpoint(web, "10.9.9.9").locality()).isEqualTo(Locality.UNKNOWN);
  }

  @Test
  void hostnameTemplateAndLocalityKeys_areConfigurable() {
    consul.register(
        instance("web", "web-1", "10.0.0.1", 8080)
            .onNode(consul.name("node-a"), "10.0.0.1", Map.of("cloud-zone", "z1", "rack", "r7")));

    startRegistry(
        settings()
            .hostname("{name}.{dc}.mesh.internal")
            .localityKeys(new ConsulSettings.LocalityKeys("cloud-region", "cloud-zone", "rack")));

    MeshService web =
        find(registry, consul.name("web") + "." + consul.datacenter() + ".mesh.internal")
            .orElseThrow();
    assertThat(web.endpoints())
        .extracting(Endpoint::locality)
        .containsExactly(new Locality("", "z1", "r7"));
  }

  @Test
  void serviceWhoseNameIsNoDnsLabel_isSkipped_withOneWarning() {
    consul.register(instance("web_v2", "web_v2-1", "10.0.0.1", 8080));
    consul.register(instance("web", "web-1", "10.0.0.2", 8080));
    try (LogCapture log = new LogCapture(ConsulRegistry.class)) {
      startRegistry(settings());
      // Another catalog answer that still lists the bad name.
      consul.register(instance("api", "api-1", "10.0.1.1", 7000));
      Poll.until(() -> assertThat(find(registry, host("api"))).isPresent());

      assertThat(registry.services())
          .extracting(MeshService::hostname)
          .noneMatch(h -> h.startsWith("web_v2") || h.startsWith("web-v2"));
      assertThat(log.messages())
          .filteredOn(m -> m.contains(consul.name("web_v2")))
          .singleElement()
          .asString()
          .contains("not a valid DNS label");
    }
  }

  // Datacenters.

  @Test
  void twoDatacenters_areAggregatedIntoOneRegistry_withDistinctHostnames() {
    FakeConsul fake = fakeOnly("two datacenters");
    fake.addDatacenter("dc2");
    fake.register(Registration.of("web", "web-1", "10.0.0.1", 8080));
    fake.register(Registration.of("web", "web-2", "10.1.0.1", 8080).inDatacenter("dc2"));
    fake.register(Registration.of("api", "api-1", "10.1.0.2", 7000).inDatacenter("dc2"));

    startRegistry(settings().datacenters(List.of())); // every datacenter Consul lists

    assertThat(registry.services())
        .extracting(MeshService::hostname)
        .containsExactly(
            "api.service.dc2.consul", "web.service.dc1.consul", "web.service.dc2.consul");
    assertThat(served("web.service.dc1.consul").endpoints())
        .extracting(Endpoint::address, e -> e.labels().get("consul.datacenter"))
        .containsExactly(tuple("10.0.0.1", "dc1"));
    assertThat(served("web.service.dc2.consul").endpoints())
        .extracting(Endpoint::address, e -> e.labels().get("consul.datacenter"))
        .containsExactly(tuple("10.1.0.1", "dc2"));
  }

  @Test
  void datacenterThatAppearsLater_isWatched_andDefaultHostnamesGainTheDatacenter() {
    FakeConsul fake = fakeOnly("a datacenter appearing");
    fake.register(Registration.of("web", "web-1", "10.0.0.1", 8080));
    startRegistry(settings().datacenters(List.of()));
    assertThat(registry.services())
        .extracting(MeshService::hostname)
        .containsExactly("web.service.consul");
    events.clear();

    fake.addDatacenter("dc2");
    fake.register(Registration.of("api", "api-1", "10.1.0.2", 7000).inDatacenter("dc2"));

    Poll.until(
        () ->
            assertThat(registry.services())
                .extracting(MeshService::hostname)
                .containsExactly("api.service.dc2.consul", "web.service.dc1.consul"));
    assertThat(events.events())
        .extracting(ServiceEvent::kind, ServiceEvent::hostname)
        .containsExactlyInAnyOrder(
            tuple(ServiceEvent.Kind.DELETED, "web.service.consul"),
            tuple(ServiceEvent.Kind.ADDED, "web.service.dc1.consul"),
            tuple(ServiceEvent.Kind.ADDED, "api.service.dc2.consul"));
  }

  @Test
  void datacenterConsulCannotReach_isReported_andTheRegistryDoesNotClaimSync() {
    consul.register(instance("web", "web-1", "10.0.0.1", 8080));

    registry =
        newRegistry("consul", settings().datacenters(List.of(consul.datacenter(), "nope")), events);

    Poll.until(
        () ->
            assertThat(registry.status().errors())
                .singleElement()
                .asString()
                .contains("catalog of nope")
                .contains("No path to datacenter"));
    // Two datacenters configured: the default hostname names the datacenter.
    String web = consul.name("web") + ".service." + consul.datacenter() + ".consul";
    Poll.until(() -> assertThat(find(registry, web)).isPresent());
    assertThat(registry.hasSynced()).isFalse();
    assertThat(registry.status().stale()).isFalse();
  }

  // Blocking queries.

  @Test
  void blockingQueriesAreHeldByConsul_andAnAnswerThatChangesNothingEmitsNothing() {
    FakeConsul fake = fakeOnly("to see the requests");
    fake.register(Registration.of("web", "web-1", "10.0.0.1", 8080));
    startRegistry(settings());
    events.clear();
    String health = "/v1/health/service/web";

    // Held until the 1 s wait elapsed, then answered unchanged.
    Poll.until(
        () ->
            assertThat(fake.seen(health))
                .anySatisfy(
                    s -> {
                      assertThat(s.requestedIndex()).isPositive();
                      assertThat(s.query()).containsEntry("wait", "1s").containsEntry("dc", "dc1");
                      assertThat(s.timedOut()).isTrue();
                    }));
    assertThat(fake.seen("/v1/catalog/services"))
        .anySatisfy(s -> assertThat(s.timedOut()).isTrue());

    // An idempotent write: a new index, the same data.
    long newIndex = fake.touch("dc1", "web");
    Poll.until(
        () ->
            assertThat(fake.seen(health))
                .anySatisfy(s -> assertThat(s.index()).isEqualTo(newIndex)));
    // The registry asked again with the new index: it has taken that answer in.
    Poll.until(
        () ->
            assertThat(fake.seen(health))
                .anySatisfy(s -> assertThat(s.requestedIndex()).isEqualTo(newIndex)));
    assertThat(events.events()).isEmpty();
  }

  @Test
  void indexGoingBackwards_restartsTheQueryFromIndexZero() {
    FakeConsul fake = fakeOnly("to lower Consul's index");
    fake.register(Registration.of("web", "web-1", "10.0.0.1", 8080));
    startRegistry(settings());
    String health = "/v1/health/service/web";
    int before = fake.seen(health).size();

    fake.lowerIndexes("dc1");

    Poll.until(
        () ->
            assertThat(fake.seen(health).subList(before, fake.seen(health).size()))
                .anySatisfy(s -> assertThat(s.requestedIndex()).isZero()));
    fake.register(Registration.of("web", "web-2", "10.0.0.2", 8080));
    Poll.until(() -> assertThat(served("web.service.consul").endpoints()).hasSize(2));
  }

  // Connection.

  @Test
  void aclToken_reachesConsulInTheXConsulTokenHeader() {
    FakeConsul fake = fakeOnly("to see the request headers");
    fake.requireToken("s3cret");
    fake.register(Registration.of("web", "web-1", "10.0.0.1", 8080));

    startRegistry(settings().token(Optional.of("s3cret")));

    assertThat(find(registry, "web.service.consul")).isPresent();
    assertThat(fake.seen())
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.token()).contains("s3cret");
              assertThat(s.query()).doesNotContainKey("token");
            });

    ConsulRegistry anonymous = newRegistry("anonymous", settings(), new RecordingListener());
    Poll.until(
        () -> assertThat(anonymous.status().errors()).singleElement().asString().contains("403"));
    assertThat(anonymous.hasSynced()).isFalse();
  }

  @Test
  void consulOutage_keepsTheLastStateAndMarksStale_thenResyncsOnlyRealChanges() {
    FakeConsul fake = fakeOnly("an outage");
    Registration web2 = Registration.of("web", "web-2", "10.0.0.2", 8080);
    Registration api = Registration.of("api", "api-1", "10.0.1.1", 7000);
    fake.register(Registration.of("web", "web-1", "10.0.0.1", 8080));
    fake.register(web2);
    fake.register(api);
    startRegistry(settings());
    assertThat(registry.status().stale()).isFalse();
    assertThat(registry.status().errors()).isEmpty();
    List<MeshService> before = registry.services();

    fake.stop();
    Poll.until(() -> assertThat(registry.status().stale()).isTrue());
    assertThat(registry.status().errors())
        .singleElement()
        .asString()
        .contains("Consul requests failing since");
    assertThat(registry.services()).isEqualTo(before);

    // While Sextant cannot see Consul: one instance fails, a service goes, another comes.
    events.clear();
    fake.register(web2.withStatus("critical"));
    fake.deregister(api);
    fake.register(Registration.of("db", "db-1", "10.0.2.1", 5432));
    assertThat(registry.services()).isEqualTo(before);

    fake.start();
    Poll.until(() -> assertThat(registry.status().stale()).isFalse());
    Poll.until(
        () ->
            assertThat(events.events())
                .extracting(ServiceEvent::kind, ServiceEvent::hostname)
                .containsExactlyInAnyOrder(
                    tuple(ServiceEvent.Kind.ENDPOINTS_UPDATED, "web.service.consul"),
                    tuple(ServiceEvent.Kind.DELETED, "api.service.consul"),
                    tuple(ServiceEvent.Kind.ADDED, "db.service.consul")));
    assertThat(endpoint(served("web.service.consul"), "10.0.0.2").health())
        .isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(registry.status().errors()).isEmpty();
    assertThat(registry.status().lastSync()).isPresent();
  }

  @Test
  void close_endsEveryWatchThread() {
    consul.register(instance("web", "web-1", "10.0.0.1", 8080));
    startRegistry(settings());
    assertThat(threadAlive("sextant-consul-consul-")).isTrue();

    registry.close();

    Poll.until(() -> assertThat(threadAlive("sextant-consul-consul-")).isFalse());
  }
}
