package io.sextant.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.ConfigError;
import io.sextant.config.SourceLocation;
import io.sextant.fixtures.Services;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class AggregateRegistryTest {
  private static final String REVIEWS = "reviews.shop.local";

  private final MemoryRegistry k8s = new MemoryRegistry("k8s");
  private final MemoryRegistry consul = new MemoryRegistry("consul");
  private final RecordingListener listener = new RecordingListener();

  private AggregateRegistry start(ServiceRegistry... registries) {
    AggregateRegistry aggregate = new AggregateRegistry(List.of(registries));
    aggregate.start(listener);
    return aggregate;
  }

  private static Services reviews(String... addresses) {
    Services reviews = Services.http(REVIEWS, 9080);
    for (String address : addresses) {
      reviews.endpoint(address, e -> {});
    }
    return reviews;
  }

  private static MeshService only(AggregateRegistry aggregate) {
    assertThat(aggregate.services()).hasSize(1);
    return aggregate.services().get(0);
  }

  private static List<String> endpoints(MeshService service) {
    return service.endpoints().stream().map(e -> e.address() + " from " + e.origin()).toList();
  }

  private List<String> events() {
    return listener.events().stream()
        .map(e -> e.kind() + " " + e.hostname() + " from " + e.registry())
        .toList();
  }

  @Test
  void sameHostFromTwoRegistries_isOneService_withTheUnionOfEndpoints_eachKeepingItsOrigin() {
    k8s.put(reviews("10.0.0.1").build());
    consul.put(reviews("10.0.1.1").build());

    AggregateRegistry aggregate = start(k8s, consul);

    assertThat(endpoints(only(aggregate)))
        .containsExactlyInAnyOrder("10.0.0.1 from k8s", "10.0.1.1 from consul");
    assertThat(events())
        .containsExactly(
            "ADDED " + REVIEWS + " from k8s", "ENDPOINTS_UPDATED " + REVIEWS + " from consul");
  }

  @Test
  void firstRegistryInTheList_definesTheService_andWinsPortNumberConflicts() {
    AggregateRegistry aggregate = start(k8s, consul);

    consul.put(
        Services.tcp(REVIEWS, 9080)
            .port("metrics", 9100, Protocol.HTTP)
            .label("source", "consul")
            .namespace("consul-ns")
            .build());
    k8s.put(reviews().label("source", "k8s").address("10.96.0.10").build());

    MeshService merged = only(aggregate);
    assertThat(merged.service().namespace()).isEqualTo("default");
    assertThat(merged.service().labels()).containsExactlyEntriesOf(Map.of("source", "k8s"));
    assertThat(merged.service().addresses()).containsExactly("10.96.0.10");
    assertThat(merged.service().ports())
        .containsExactly(
            new ServicePort("http", 9080, Protocol.HTTP),
            new ServicePort("metrics", 9100, Protocol.HTTP));
  }

  @Test
  void endpointOnlyChange_isEndpointsUpdated_andAPortChange_isUpdated() {
    start(k8s, consul);

    k8s.put(reviews("10.0.0.1").build());
    k8s.put(reviews("10.0.0.1", "10.0.0.2").build());
    consul.put(reviews("10.0.1.1").build());
    k8s.put(reviews("10.0.0.1", "10.0.0.2").port("grpc", 9090, Protocol.GRPC).build());

    assertThat(events())
        .containsExactly(
            "ADDED " + REVIEWS + " from k8s",
            "ENDPOINTS_UPDATED " + REVIEWS + " from k8s",
            "ENDPOINTS_UPDATED " + REVIEWS + " from consul",
            "UPDATED " + REVIEWS + " from k8s");
  }

  @Test
  void host_isDeletedOnlyWhenTheLastRegistryDropsIt() {
    AggregateRegistry aggregate = start(k8s, consul);
    k8s.put(reviews("10.0.0.1").build());
    consul.put(reviews("10.0.1.1").build());
    listener.clear();

    k8s.remove(REVIEWS);

    assertThat(events()).containsExactly("ENDPOINTS_UPDATED " + REVIEWS + " from k8s");
    assertThat(endpoints(only(aggregate))).containsExactly("10.0.1.1 from consul");

    consul.remove(REVIEWS);

    assertThat(events()).endsWith("DELETED " + REVIEWS + " from consul");
    assertThat(aggregate.services()).isEmpty();
  }

  @Test
  void endpointAlreadyTakenFromAHigherPriorityRegistry_isDropped() {
    AggregateRegistry aggregate = start(k8s, consul);

    consul.put(reviews("10.0.0.1", "10.0.0.2").build());
    k8s.put(reviews("10.0.0.1").build());

    assertThat(endpoints(only(aggregate)))
        .containsExactlyInAnyOrder("10.0.0.1 from k8s", "10.0.0.2 from consul");
  }

  @Test
  void changeHiddenByAHigherPriorityRegistry_emitsNothing() {
    start(k8s, consul);
    k8s.put(reviews("10.0.0.1").build());
    consul.put(reviews("10.0.0.1").build());
    listener.clear();

    // The definition and the only endpoint come from k8s, so the merged service is unchanged.
    consul.put(reviews("10.0.0.1").label("team", "books").build());

    assertThat(listener.events()).isEmpty();
  }

  @Test
  @Timeout(10) // guards against a deadlock, which would otherwise hang the build
  void hasSynced_waitsForEveryRegistry_evenOneThatDeliversFromItsOwnThreadDuringStart() {
    InformerLikeRegistry informer = new InformerLikeRegistry(reviews("10.0.2.1").build());

    AggregateRegistry aggregate = start(k8s, informer);

    assertThat(endpoints(only(aggregate))).containsExactly("10.0.2.1 from informer");
    assertThat(aggregate.hasSynced()).isFalse();
    assertThat(aggregate.status().synced()).isFalse();

    informer.synced = true;

    assertThat(aggregate.hasSynced()).isTrue();
    assertThat(aggregate.status().synced()).isTrue();
  }

  @Test
  void status_isStaleWhenAnyRegistryIs_andCarriesEveryRegistrysErrors() {
    InformerLikeRegistry informer = new InformerLikeRegistry(reviews("10.0.2.1").build());
    informer.stale = true;
    AggregateRegistry aggregate = start(k8s, informer);

    SourceStatus status = aggregate.status();

    assertThat(status.name()).isEqualTo("aggregate");
    assertThat(status.stale()).isTrue();
    assertThat(status.errors()).containsExactly(InformerLikeRegistry.CONNECTION_ERROR);
    assertThat(aggregate.childStatuses())
        .extracting(s -> s.name() + " stale=" + s.stale())
        .containsExactly("k8s stale=false", "informer stale=true");
    // Stale is the registry's business: its last known services stay.
    assertThat(endpoints(only(aggregate))).containsExactly("10.0.2.1 from informer");
  }

  /**
   * Like a Kubernetes informer: start() waits while another thread delivers the first state, and
   * the registry syncs later.
   */
  private static final class InformerLikeRegistry implements ServiceRegistry {
    static final ConfigError CONNECTION_ERROR =
        new ConfigError(SourceLocation.UNKNOWN, "", "connection refused");

    private final MeshService initial;
    volatile boolean synced;
    volatile boolean stale;

    InformerLikeRegistry(MeshService initial) {
      this.initial =
          new MeshService(
              initial.service(),
              initial.endpoints().stream().map(e -> e.withOrigin(name())).toList());
    }

    @Override
    public String name() {
      return "informer";
    }

    @Override
    public void start(RegistryListener listener) {
      Thread thread = new Thread(() -> listener.onEvent(ServiceEvent.upsert(initial, name())));
      thread.start();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public boolean hasSynced() {
      return synced;
    }

    @Override
    public List<MeshService> services() {
      return List.of(initial);
    }

    @Override
    public SourceStatus status() {
      return new SourceStatus(
          name(), "informer", synced, stale, stale ? List.of(CONNECTION_ERROR) : List.of());
    }

    @Override
    public void close() {}
  }

  @Test
  void failoverPriority_isCarriedByEveryEndpointOfItsRegistry() {
    k8s.put(reviews("10.0.0.1").build());
    consul.put(reviews("10.0.1.1").build());
    AggregateRegistry aggregate = new AggregateRegistry(List.of(k8s, consul), List.of(0, 1));
    aggregate.start(listener);

    assertThat(only(aggregate).endpoints())
        .extracting(e -> e.address() + " priority " + e.priority())
        .containsExactly("10.0.0.1 priority 0", "10.0.1.1 priority 1");
  }

  @Test
  void disagreementsAboutAPort_areLoggedOnce_andTheFirstRegistryWins() {
    try (CapturedLog log = CapturedLog.of(AggregateRegistry.class)) {
      AggregateRegistry aggregate = start(k8s, consul);
      k8s.put(reviews("10.0.0.1").build());
      consul.put(Services.tcp(REVIEWS, 9080).endpoint("10.0.1.1", e -> {}).build());
      consul.put(Services.tcp(REVIEWS, 9080).endpoint("10.0.1.2", e -> {}).build());

      assertThat(only(aggregate).service().ports().get(0).protocol()).isEqualTo(Protocol.HTTP);
      assertThat(log.messages())
          .singleElement()
          .asString()
          .contains("registries disagree about " + REVIEWS)
          .contains("port 9080 is HTTP")
          .contains("in k8s (kept) but TCP")
          .contains("in consul");
    }
  }
}
