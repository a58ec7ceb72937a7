package io.sextant.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.ServicePort;
import io.sextant.registry.Poll;
import io.sextant.registry.RecordingListener;
import io.sextant.registry.ServiceEvent;
import io.sextant.registry.kubernetes.TcpProxy;
import io.sextant.registry.zookeeper.ZooKeeperSettings.Layout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ZooKeeper registry against a real ZooKeeper server (Curator's {@link TestingServer}), in both
 * layouts. Providers register with their own clients and sessions, as real services do.
 */
class ZooKeeperRegistryTest {
  /**
   * ZooKeeper allows session timeouts of 2 to 20 ticks: 1 s for a provider meant to expire soon
   * after a restart, 10 s for the sessions that must outlive every outage the tests cause.
   */
  private static final int TICK_MILLIS = 500;

  /** Long enough to outlive every outage these tests cause. */
  private static final Duration LONG_SESSION = Duration.ofSeconds(10);

  private static final Duration STALE_AFTER = Duration.ofMillis(300);

  private TestingServer server;
  private CuratorFramework admin;
  private final List<Provider> providers = new ArrayList<>();
  private final List<AutoCloseable> closeLast = new ArrayList<>();
  private ZooKeeperRegistry registry;
  private final RecordingListener events = new RecordingListener();
  private Layout layout;

  @BeforeEach
  void startServer() throws Exception {
    server =
        new TestingServer(
            new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MILLIS, -1), /* start */ true);
    admin = client(server.getConnectString());
  }

  @AfterEach
  void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
    for (Provider p : providers) {
      p.close();
    }
    admin.close();
    for (AutoCloseable c : closeLast) {
      c.close();
    }
    server.close();
  }

  // Fixtures: the same services in either layout.

  /** The Curator service name, or the Dubbo interface, for a short name such as "reviews". */
  private String service(String shortName) {
    return switch (layout) {
      case CURATOR -> shortName;
      case DUBBO ->
          "com.example." + Character.toUpperCase(shortName.charAt(0)) + shortName.substring(1);
    };
  }

  /** The hostname the registry gives that service, by the template "{name}.mesh". */
  private String host(String shortName) {
    return service(shortName).toLowerCase(Locale.ROOT) + ".mesh";
  }

  private Registration instance(String shortName, String id, String address, int port) {
    return Registration.of(service(shortName), id, address, port);
  }

  private ZooKeeperSettings settings(String connectString) {
    return new ZooKeeperSettings(
        connectString,
        layout,
        Optional.empty(),
        Optional.of("{name}.mesh"),
        "shop",
        Protocol.TCP,
        LONG_SESSION,
        STALE_AFTER);
  }

  private Provider provider() throws Exception {
    return provider(LONG_SESSION);
  }

  private Provider provider(Duration sessionTimeout) throws Exception {
    Provider p = Provider.start(layout, server.getConnectString(), sessionTimeout);
    providers.add(p);
    return p;
  }

  /** A persistent registration that no session owns and no provider re-registers. */
  private void writeStatic(Registration registration) throws Exception {
    switch (layout) {
      case CURATOR -> CuratorProvider.writeStatic(admin, registration);
      case DUBBO -> DubboProvider.writeStatic(admin, registration);
    }
  }

  private static CuratorFramework client(String connectString) {
    CuratorFramework client =
        CuratorFrameworkFactory.newClient(connectString, new RetryNTimes(50, 200));
    client.start();
    return client;
  }

  private void startRegistry(ZooKeeperSettings settings) {
    registry = new ZooKeeperRegistry("zk", settings);
    registry.start(events);
    Poll.until(() -> assertThat(registry.hasSynced()).isTrue());
  }

  private Optional<MeshService> find(String host) {
    return registry.services().stream().filter(s -> s.hostname().equals(host)).findFirst();
  }

  private MeshService served(String shortName) {
    return find(host(shortName))
        .orElseThrow(() -> new AssertionError(host(shortName) + " is not served"));
  }

  private List<String> addresses(String shortName) {
    return served(shortName).endpoints().stream().map(Endpoint::address).toList();
  }

  /**
   * The events emitted so far, all of them: a marker service is registered and the events before
   * its own are returned, so that nothing still on its way is missed.
   */
  private List<ServiceEvent> eventsSettled() throws Exception {
    String unique = String.valueOf(System.nanoTime());
    writeStatic(instance("marker", "m" + unique, "10.9.9.9", 1).withLabels("marker", unique));
    Poll.until(() -> assertThat(events.about(host("marker"))).isNotEmpty());
    List<ServiceEvent> all = events.events();
    List<ServiceEvent> before = new ArrayList<>();
    for (ServiceEvent e : all) {
      if (e.hostname().equals(host("marker"))) {
        break;
      }
      before.add(e);
    }
    return before;
  }

  private static List<String> rendered(List<ServiceEvent> events) {
    return events.stream().map(e -> e.kind() + " " + e.hostname()).toList();
  }

  // Tests.

  @ParameterizedTest
  @EnumSource(Layout.class)
  void firstSync_deliversEveryRegisteredService_beforeHasSynced(Layout layout) throws Exception {
    this.layout = layout;
    Provider p = provider();
    p.register(instance("reviews", "r1", "10.0.0.1", 9080).withLabels("version", "v1"));
    p.register(instance("reviews", "r2", "10.0.0.2", 9081).withLabels("version", "v2"));
    p.register(instance("ratings", "a1", "10.0.0.3", 9090));
    List<Boolean> syncedWhenDelivered = new CopyOnWriteArrayList<>();
    registry = new ZooKeeperRegistry("zk", settings(server.getConnectString()));
    registry.start(
        e -> {
          syncedWhenDelivered.add(registry.hasSynced());
          events.onEvent(e);
        });
    Poll.until(() -> assertThat(registry.hasSynced()).isTrue());

    assertThat(events.events())
        .extracting(ServiceEvent::kind, ServiceEvent::hostname)
        .containsExactlyInAnyOrder(
            tuple(ServiceEvent.Kind.ADDED, host("reviews")),
            tuple(ServiceEvent.Kind.ADDED, host("ratings")));
    assertThat(syncedWhenDelivered).containsOnly(false);
    assertThat(registry.services())
        .extracting(MeshService::hostname)
        .containsExactly(host("ratings"), host("reviews"));

    MeshService reviews = served("reviews");
    assertThat(reviews.service().namespace()).isEqualTo("shop");
    // One port, numbered after the smallest instance port; each endpoint keeps its own.
    assertThat(reviews.service().ports())
        .containsExactly(new ServicePort("tcp", 9080, Protocol.TCP, 9080));
    assertThat(reviews.endpoints())
        .extracting(
            Endpoint::address,
            Endpoint::port,
            Endpoint::servicePort,
            e -> e.labels().get("version"))
        .containsExactly(tuple("10.0.0.1", 9080, 9080, "v1"), tuple("10.0.0.2", 9081, 9080, "v2"));
    assertThat(reviews.endpoints())
        .allSatisfy(
            e -> {
              assertThat(e.origin()).isEqualTo("zk");
              assertThat(e.health()).isEqualTo(HealthStatus.HEALTHY);
              assertThat(e.locality()).isEqualTo(Locality.UNKNOWN);
              assertThat(e.weight()).isEqualTo(1);
            });
    assertThat(registry.status().synced()).isTrue();
    assertThat(registry.status().stale()).isFalse();
    assertThat(registry.status().errors()).isEmpty();
    assertThat(registry.status().lastSync()).isPresent();
    assertThat(registry.status().type()).isEqualTo("zookeeper");
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void instanceAdded_thenItsProviderSessionClosed_updatesTheEndpoints(Layout layout)
      throws Exception {
    this.layout = layout;
    Provider first = provider();
    first.register(instance("reviews", "r1", "10.0.0.1", 9080));
    startRegistry(settings(server.getConnectString()));
    events.clear();

    Provider second = provider();
    second.register(instance("reviews", "r2", "10.0.0.2", 9080));
    Poll.until(() -> assertThat(addresses("reviews")).containsExactly("10.0.0.1", "10.0.0.2"));
    // Curator's ServiceDiscovery may write a registration more than once (it re-registers the
    // instances it watches), so the count of endpoint-only events is not fixed; their kind is.
    assertThat(events.about(host("reviews")))
        .isNotEmpty()
        .allMatch(e -> e.equals("ENDPOINTS_UPDATED " + host("reviews")));

    second.close(); // its session ends: ZooKeeper deletes its ephemeral node
    Poll.until(() -> assertThat(addresses("reviews")).containsExactly("10.0.0.1"));

    events.clear();
    first.close();
    Poll.until(() -> assertThat(find(host("reviews"))).isEmpty());
    assertThat(events.about(host("reviews"))).containsExactly("DELETED " + host("reviews"));
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void versionAndGroupLabels_letSubsetsSelectInstances(Layout layout) throws Exception {
    this.layout = layout;
    Provider p = provider();
    p.register(
        instance("reviews", "r1", "10.0.0.1", 9080).withLabels("version", "1.0.0", "group", "a"));
    p.register(
        instance("reviews", "r2", "10.0.0.2", 9080).withLabels("version", "2.0.0", "group", "a"));
    p.register(
        instance("reviews", "r3", "10.0.0.3", 9080).withLabels("version", "2.0.0", "group", "b"));
    startRegistry(settings(server.getConnectString()));

    List<Endpoint> endpoints = served("reviews").endpoints();
    // What a DestinationRule subset with these labels would select.
    assertThat(endpoints.stream().filter(e -> e.matches(Map.of("version", "1.0.0"))))
        .extracting(Endpoint::address)
        .containsExactly("10.0.0.1");
    assertThat(endpoints.stream().filter(e -> e.matches(Map.of("version", "2.0.0"))))
        .extracting(Endpoint::address)
        .containsExactly("10.0.0.2", "10.0.0.3");
    assertThat(endpoints.stream().filter(e -> e.matches(Map.of("version", "2.0.0", "group", "b"))))
        .extracting(Endpoint::address)
        .containsExactly("10.0.0.3");
  }

  @Test
  void curatorPayload_scalarsBecomeLabels_andNameTheProtocolAndLocality() throws Exception {
    layout = Layout.CURATOR;
    provider()
        .register(
            instance("reviews", "r1", "10.0.0.1", 9080)
                .withLabels("version", "v1", "region", "eu-west", "zone", "eu-west-1a")
                .withProtocol("grpc"));
    startRegistry(settings(server.getConnectString()));

    MeshService reviews = served("reviews");
    assertThat(reviews.service().ports())
        .containsExactly(new ServicePort("grpc", 9080, Protocol.GRPC, 9080));
    Endpoint endpoint = reviews.endpoints().get(0);
    // Curator's JSON also carries the payload's "@class"; it is type information, not a label.
    assertThat(endpoint.labels())
        .isEqualTo(
            Map.of("version", "v1", "region", "eu-west", "zone", "eu-west-1a", "protocol", "grpc"));
    assertThat(endpoint.locality()).isEqualTo(new Locality("eu-west", "eu-west-1a", ""));
  }

  @Test
  void dubboUrl_everyParameterBecomesALabel_andTheSchemeTheProtocol() throws Exception {
    layout = Layout.DUBBO;
    Registration demo =
        Registration.of("com.foo.DemoService", "", "10.0.0.1", 20880)
            .withLabels(
                "version",
                "1.0.0",
                "group",
                "g1",
                "application",
                "demo",
                "side",
                "provider",
                "methods",
                "a,b")
            .withProtocol("tri");
    provider().register(demo);
    startRegistry(settings(server.getConnectString()));

    MeshService service = find("com.foo.demoservice.mesh").orElseThrow();
    assertThat(service.service().ports())
        .containsExactly(new ServicePort("grpc", 20880, Protocol.GRPC, 20880));
    assertThat(service.endpoints().get(0).labels())
        .isEqualTo(
            Map.of(
                "version", "1.0.0",
                "group", "g1",
                "application", "demo",
                "side", "provider",
                "methods", "a,b"));
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void protocolNamedByTheInstances_typesTheServicePort_elseTheDefault(Layout layout)
      throws Exception {
    this.layout = layout;
    Provider p = provider();
    boolean curator = layout == Layout.CURATOR;
    p.register(instance("grpcsvc", "g", "10.0.0.1", 7000).withProtocol(curator ? "grpc" : "tri"));
    p.register(instance("httpsvc", "h", "10.0.0.2", 7001).withProtocol(curator ? "http" : "rest"));
    p.register(instance("tcpsvc", "t", "10.0.0.3", 7002).withProtocol(curator ? "tcp" : "dubbo"));
    p.register(instance("unsaid", "u", "10.0.0.4", 7003).withProtocol(curator ? null : "hessian"));
    ZooKeeperSettings http2ByDefault =
        new ZooKeeperSettings(
            server.getConnectString(),
            layout,
            Optional.empty(),
            Optional.of("{name}.mesh"),
            "shop",
            Protocol.HTTP2,
            LONG_SESSION,
            STALE_AFTER);
    startRegistry(http2ByDefault);

    assertThat(served("grpcsvc").service().ports())
        .containsExactly(new ServicePort("grpc", 7000, Protocol.GRPC, 7000));
    assertThat(served("httpsvc").service().ports())
        .containsExactly(new ServicePort("http", 7001, Protocol.HTTP, 7001));
    assertThat(served("tcpsvc").service().ports())
        .containsExactly(new ServicePort("tcp", 7002, Protocol.TCP, 7002));
    assertThat(served("unsaid").service().ports())
        .containsExactly(new ServicePort("http2", 7003, Protocol.HTTP2, 7003));
  }

  @Test
  void dubboInterfaceExportedOverTwoProtocols_isServedAsTcp() throws Exception {
    layout = Layout.DUBBO;
    Provider p = provider();
    p.register(instance("reviews", "", "10.0.0.1", 20880).withProtocol("dubbo"));
    p.register(instance("reviews", "", "10.0.0.1", 50051).withProtocol("tri"));
    startRegistry(settings(server.getConnectString()));

    assertThat(served("reviews").service().ports())
        .containsExactly(new ServicePort("tcp", 20880, Protocol.TCP, 20880));
    assertThat(served("reviews").endpoints())
        .extracting(Endpoint::port)
        .containsExactly(20880, 50051);
  }

  @Test
  void dubboConsumersConfiguratorsAndRouters_areNotInstances() throws Exception {
    layout = Layout.DUBBO;
    provider().register(instance("reviews", "", "10.0.0.1", 20880));
    String iface = "/dubbo/" + service("reviews");
    for (String other :
        List.of(
            "/consumers/consumer%3A%2F%2F10.0.0.7%2Fcom.example.Reviews%3Fside%3Dconsumer",
            "/configurators/override%3A%2F%2F0.0.0.0%2Fcom.example.Reviews%3Fweight%3D200",
            "/routers/condition%3A%2F%2F0.0.0.0%2Fcom.example.Reviews%3Frule%3Dx")) {
      admin.create().creatingParentsIfNeeded().forPath(iface + other);
    }
    startRegistry(settings(server.getConnectString()));

    assertThat(registry.services())
        .extracting(MeshService::hostname)
        .containsExactly(host("reviews"));
    assertThat(addresses("reviews")).containsExactly("10.0.0.1");
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void malformedEntry_isSkippedWithOneWarning_andItsSiblingsStay(Layout layout) throws Exception {
    this.layout = layout;
    Provider p = provider();
    p.register(instance("reviews", "r1", "10.0.0.1", 9080));
    String broken =
        switch (layout) {
          case CURATOR -> "/services/reviews/broken";
          case DUBBO -> "/dubbo/com.example.Reviews/providers/dubbo%3A%2F%2F10.0.0.9%2Fno-port";
        };
    admin
        .create()
        .creatingParentsIfNeeded()
        .withMode(CreateMode.PERSISTENT)
        .forPath(broken, "{not json".getBytes(StandardCharsets.UTF_8));

    try (LogLines log = new LogLines(ZooKeeperRegistry.class)) {
      startRegistry(settings(server.getConnectString()));
      assertThat(addresses("reviews")).containsExactly("10.0.0.1");

      // A sibling's change recomputes the service: the broken entry is not warned about again.
      p.register(instance("reviews", "r2", "10.0.0.2", 9080));
      Poll.until(() -> assertThat(addresses("reviews")).containsExactly("10.0.0.1", "10.0.0.2"));
      assertThat(log.warnings()).filteredOn(w -> w.contains(broken)).hasSize(1);
      assertThat(log.warnings()).allMatch(w -> w.contains(broken));
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void registrySessionExpiry_keepsTheState_thenPicksUpWhatChangedMeanwhile(Layout layout)
      throws Exception {
    this.layout = layout;
    TcpProxy proxy = new TcpProxy(server.getPort());
    closeLast.add(proxy::stop);
    Provider p = provider();
    p.register(instance("reviews", "r1", "10.0.0.1", 9080));
    p.register(instance("ratings", "a1", "10.0.0.5", 9090));
    startRegistry(settings("127.0.0.1:" + proxy.port()));
    List<MeshService> before = registry.services();
    events.clear();

    // Cut the registry off, expire its session, and change the tree while it has none.
    proxy.stop();
    Poll.until(() -> assertThat(registry.status().stale()).isTrue());
    KillSession.kill(registry.curator().getZookeeperClient().getZooKeeper());
    Provider late = provider();
    late.register(instance("reviews", "r2", "10.0.0.2", 9080));
    assertThat(registry.status().errors())
        .singleElement()
        .satisfies(e -> assertThat(e.location().file()).isEqualTo("127.0.0.1:" + proxy.port()));
    assertThat(registry.services()).isEqualTo(before);
    assertThat(events.events()).isEmpty();

    proxy.start();
    Poll.until(() -> assertThat(registry.status().stale()).isFalse());
    Poll.until(() -> assertThat(addresses("reviews")).containsExactly("10.0.0.1", "10.0.0.2"));
    // The providers' sessions were never touched: nothing else changed, nothing else is emitted.
    assertThat(rendered(eventsSettled())).containsExactly("ENDPOINTS_UPDATED " + host("reviews"));
    assertThat(addresses("ratings")).containsExactly("10.0.0.5");
    assertThat(registry.status().errors()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void serverRestart_staleWhileDown_thenResyncsWhatZooKeeperChanged(Layout layout)
      throws Exception {
    this.layout = layout;
    Provider survivor = provider(LONG_SESSION);
    Registration kept = instance("reviews", "r1", "10.0.0.1", 9080);
    survivor.register(kept);
    Provider doomed = provider(Duration.ofSeconds(1));
    doomed.register(instance("reviews", "r2", "10.0.0.2", 9080));
    writeStatic(instance("ratings", "a1", "10.0.0.5", 9090));
    startRegistry(settings(server.getConnectString()));
    List<MeshService> before = registry.services();
    long keptCreated = created(survivor.path(kept)).orElseThrow();
    events.clear();

    server.stop();
    Poll.until(() -> assertThat(registry.status().stale()).isTrue());
    assertThat(registry.status().errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.location().file()).isEqualTo(server.getConnectString());
              assertThat(e.message()).contains("unreachable");
            });
    assertThat(registry.services()).isEqualTo(before);
    assertThat(events.events()).isEmpty();
    // One provider dies while ZooKeeper is down. ZooKeeper never hears of it, so its node stays
    // until its session expires, which happens after the restart.
    doomed.crash();

    server.restart();
    Poll.until(() -> assertThat(registry.status().stale()).isFalse());
    Poll.until(() -> assertThat(addresses("reviews")).containsExactly("10.0.0.1"));
    if (layout == Layout.CURATOR) {
      // Curator's ServiceDiscovery re-registers on every reconnect: it deletes its node and
      // creates it again. Wait for that, so that everything it causes comes before the marker.
      Poll.until(
          () ->
              assertThat(created(survivor.path(kept)))
                  .hasValueSatisfying(c -> assertThat(c).isNotEqualTo(keptCreated)));
    } else {
      // The survivor's session outlived the outage, so (like Dubbo) it had nothing to re-create.
      assertThat(created(survivor.path(kept))).contains(keptCreated);
    }
    List<ServiceEvent> after = eventsSettled();

    // The persistent registration nobody touched emits nothing.
    assertThat(after).extracting(ServiceEvent::hostname).containsOnly(host("reviews"));
    assertThat(addresses("ratings")).containsExactly("10.0.0.5");
    assertThat(addresses("reviews")).containsExactly("10.0.0.1");
    if (layout == Layout.DUBBO) {
      // The only change ZooKeeper made: the expired session's entry is gone.
      assertThat(rendered(after)).containsExactly("ENDPOINTS_UPDATED " + host("reviews"));
    } else {
      // The registry may also have seen the survivor's delete and re-create, depending on who
      // reconnected first; whatever it saw, its last word is the final state.
      assertThat(after).last().satisfies(e -> assertThat(e.service()).contains(served("reviews")));
    }
    assertThat(registry.status().errors()).isEmpty();
  }

  /**
   * The zxid that created the node at {@code path}, which changes when the node is re-created;
   * empty while it does not exist.
   */
  private Optional<Long> created(String path) {
    try {
      return Optional.ofNullable(admin.checkExists().forPath(path)).map(Stat::getCzxid);
    } catch (Exception e) {
      throw new IllegalStateException("reading " + path, e);
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void unreachableAtStart_reportsTheConnectString_thenSyncsOnceItIsUp(Layout layout)
      throws Exception {
    this.layout = layout;
    provider().register(instance("reviews", "r1", "10.0.0.1", 9080));
    TcpProxy proxy = new TcpProxy(server.getPort());
    closeLast.add(proxy::stop);
    proxy.stop();
    registry = new ZooKeeperRegistry("zk", settings("127.0.0.1:" + proxy.port()));
    registry.start(events);

    Poll.until(() -> assertThat(registry.status().errors()).isNotEmpty());
    assertThat(registry.status().errors().get(0).location().file())
        .isEqualTo("127.0.0.1:" + proxy.port());
    assertThat(registry.hasSynced()).isFalse();
    assertThat(registry.status().stale()).isFalse(); // nothing is served yet, so nothing is stale

    proxy.start();
    Poll.until(() -> assertThat(registry.hasSynced()).isTrue());
    assertThat(addresses("reviews")).containsExactly("10.0.0.1");
    assertThat(registry.status().errors()).isEmpty();
  }
}
