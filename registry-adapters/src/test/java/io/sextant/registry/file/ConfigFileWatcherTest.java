package io.sextant.registry.file;

import static io.sextant.registry.file.ConfigFiles.serviceEntry;
import static io.sextant.registry.file.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.registry.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileWatcherTest {
  @TempDir Path dir;
  private final List<List<String>> deliveries = new CopyOnWriteArrayList<>();
  private ConfigFileWatcher watcher;

  @AfterEach
  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private void start(Path... paths) {
    watcher =
        new ConfigFileWatcher(
            "test",
            List.of(paths),
            Duration.ofHours(1),
            resources -> deliveries.add(resources.stream().map(r -> r.meta().name()).toList()));
    watcher.start();
  }

  private List<String> latest() {
    return deliveries.get(deliveries.size() - 1);
  }

  @Test
  void resources_areDeliveredByStart_inFilePathOrderThenDocumentOrder() {
    write(
        dir.resolve("b.yaml"),
        serviceEntry("b1", "b1.local") + "---\n" + serviceEntry("b2", "b2.local"));
    write(dir.resolve("a/z.yaml"), serviceEntry("az", "az.local"));
    write(dir.resolve("c.yaml"), serviceEntry("c", "c.local"));

    start(dir.resolve("c.yaml"), dir);

    assertThat(deliveries).containsExactly(List.of("az", "b1", "b2", "c"));
  }

  @Test
  void hiddenEntriesAndOtherExtensions_areSkipped_butAListedFileIsReadWhateverItsName() {
    write(dir.resolve("conf/.hidden.yaml"), serviceEntry("hidden-file", "a.local"));
    write(dir.resolve("conf/.git/x.yaml"), serviceEntry("hidden-dir", "b.local"));
    write(dir.resolve("conf/notes.txt"), serviceEntry("text", "c.local"));
    write(dir.resolve("conf/kept.yaml"), serviceEntry("kept", "d.local"));
    write(dir.resolve("listed.conf"), serviceEntry("listed", "e.local"));

    start(dir.resolve("conf"), dir.resolve("listed.conf"));

    assertThat(latest()).containsExactly("kept", "listed");
  }

  /** The layout kubelet gives a ConfigMap volume, and the way it swaps in a new version. */
  @Test
  void configMapVolume_isReadThroughItsSymlinks_andItsAtomicSwapIsNoticed() throws Exception {
    Path volume = dir.resolve("volume");
    write(volume.resolve("..2024_01_01/services.yaml"), serviceEntry("v1", "reviews.local"));
    Files.createSymbolicLink(volume.resolve("..data"), Path.of("..2024_01_01"));
    Files.createSymbolicLink(volume.resolve("services.yaml"), Path.of("..data/services.yaml"));
    start(volume);
    assertThat(latest()).containsExactly("v1");

    write(volume.resolve("..2024_01_02/services.yaml"), serviceEntry("v2", "reviews.local"));
    Files.createSymbolicLink(volume.resolve("..data_tmp"), Path.of("..2024_01_02"));
    Files.move(
        volume.resolve("..data_tmp"), volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    Poll.until(() -> assertThat(latest()).containsExactly("v2"));
    assertThat(deliveries).hasSize(2);
  }

  @Test
  void close_stopsTheWatchThread() {
    write(dir.resolve("a.yaml"), serviceEntry("a", "a.local"));
    start(dir);
    assertThat(watchThreads()).isNotEmpty();

    watcher.close();

    assertThat(watchThreads()).isEmpty();
  }

  private static List<Thread> watchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("sextant-file-watch-test") && t.isAlive())
        .toList();
  }
}
