package io.sextant.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.fixtures.Services;
import io.sextant.model.Endpoint;
import io.sextant.model.MeshService;
import org.junit.jupiter.api.Test;

class MemoryRegistryTest {
  private final MemoryRegistry registry = new MemoryRegistry("memory");
  private final RecordingListener listener = new RecordingListener();

  @Test
  void servicesPutBeforeStart_areDeliveredByStart_whichThenReportsSynced() {
    registry.put(Services.http("reviews.local", 9080).endpoints(1).build());
    assertThat(registry.hasSynced()).isFalse();

    registry.start(listener);

    assertThat(listener.about("reviews.local")).containsExactly("ADDED reviews.local");
    assertThat(registry.hasSynced()).isTrue();
    assertThat(registry.status().synced()).isTrue();
  }

  @Test
  void puttingAnEqualServiceAgain_orRemovingAnUnknownHost_emitsNothing() {
    registry.start(listener);
    registry.put(Services.http("reviews.local", 9080).endpoints(2).build());
    listener.clear();

    registry.put(Services.http("reviews.local", 9080).endpoints(2).build());
    registry.remove("ratings.local");

    assertThat(listener.events()).isEmpty();
  }

  @Test
  void changesAreDeliveredOnTheCallersThread_asTheyHappen() {
    registry.start(listener);

    registry.put(Services.http("reviews.local", 9080).endpoints(1).build());
    registry.put(Services.http("reviews.local", 9080).endpoints(2).build());
    registry.remove("reviews.local");

    assertThat(listener.about("reviews.local"))
        .containsExactly(
            "ADDED reviews.local", "ENDPOINTS_UPDATED reviews.local", "DELETED reviews.local");
    assertThat(registry.services()).isEmpty();
  }

  @Test
  void endpoints_areRecordedAsComingFromThisRegistry() {
    registry.put(
        Services.http("reviews.local", 9080).origin("somewhere-else").endpoints(2).build());

    MeshService stored = registry.services().get(0);

    assertThat(stored.endpoints()).extracting(Endpoint::origin).containsOnly("memory");
  }
}
