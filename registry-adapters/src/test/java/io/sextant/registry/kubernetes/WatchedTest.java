package io.sextant.registry.kubernetes;

import static io.sextant.registry.kubernetes.KubeObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchedTest {
  private final MockApiServer api = new MockApiServer();

  @AfterEach
  void close() {
    api.close();
  }

  /**
   * A relist puts every object into the informer's cache again. fabric8 moves the object's index
   * entries by removing and re-adding them; a lookup by index in between must still find it (the
   * cause of a service once served with no endpoints after the first sync).
   */
  @Test
  void anObjectPutAgain_isFoundByIndex_evenWhileItsIndexEntriesAreBeingMoved()
      throws InterruptedException {
    Pod first = pod("bookinfo", "reviews-v1", "10.1.0.1", Map.of("app", "reviews"));
    Pod again = new PodBuilder(first).build();
    CountDownLatch inTheGap = new CountDownLatch(1);
    AtomicReference<Thread> reader = new AtomicReference<>();
    SharedIndexInformer<Pod> informer =
        api.admin()
            .pods()
            .inNamespace("bookinfo")
            .withIndexers(
                Map.of(
                    "app",
                    p -> {
                      if (p == again) {
                        // The old entry is gone, the new one not yet added: hold here until the
                        // reader has either read or is waiting for the cache.
                        inTheGap.countDown();
                        awaitBlockedOrDone(reader);
                      }
                      return List.of(p.getMetadata().getLabels().get("app"));
                    }))
            .runnableInformer(0);
    Watched<Pod> watched = new Watched<>("Pod", List.of(informer));
    // What the informer's reflector does with each listed or watched object.
    CacheImpl<Pod> cache = (CacheImpl<Pod>) informer.getIndexer();
    cache.put(first);
    assertThat(watched.byIndex("app", "reviews")).hasSize(1);

    Thread writer = new Thread(() -> cache.put(again));
    writer.start();
    assertThat(inTheGap.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicReference<List<Pod>> found = new AtomicReference<>();
    Thread read = new Thread(() -> found.set(watched.byIndex("app", "reviews")));
    reader.set(read);
    read.start();
    writer.join(10_000);
    read.join(10_000);

    assertThat(found.get())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("reviews-v1");
  }

  private static void awaitBlockedOrDone(AtomicReference<Thread> reader) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Thread t = reader.get();
      if (t != null
          && (t.getState() == Thread.State.BLOCKED || t.getState() == Thread.State.TERMINATED)) {
        return;
      }
      Thread.onSpinWait();
    }
  }
}
