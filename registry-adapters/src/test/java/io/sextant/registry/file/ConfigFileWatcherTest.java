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

  /**
   * Edits that keep a file's number of resources replace them where they stand; the others rebuild
   * the list. Each step's edit follows a different kind, so a position remembered from before files
   * came, went or changed size would put the next in-place edit in the wrong place.
   */
  @Test
  void edits_keepFilePathOrder_whetherTheyKeepAFilesNumberOfResourcesOrNot() {
    write(
        dir.resolve("a.yaml"),
        serviceEntry("a1", "a1.local") + "---\n" + serviceEntry("a2", "a2.local"));
    write(dir.resolve("b.yaml"), serviceEntry("b1", "b1.local"));
    write(dir.resolve("c.yaml"), serviceEntry("c1", "c1.local"));
    start(dir);
    assertThat(latest()).containsExactly("a1", "a2", "b1", "c1");

    write(dir.resolve("b.yaml"), serviceEntry("b2", "b1.local")); // same number
    Poll.until(() -> assertThat(latest()).containsExactly("a1", "a2", "b2", "c1"));

    write(dir.resolve("a.yaml"), serviceEntry("a3", "a1.local")); // one fewer
    Poll.until(() -> assertThat(latest()).containsExactly("a3", "b2", "c1"));

    write(dir.resolve("c.yaml"), serviceEntry("c2", "c1.local"));
    Poll.until(() -> assertThat(latest()).containsExactly("a3", "b2", "c2"));

    write(dir.resolve("bb.yaml"), serviceEntry("bb1", "bb1.local")); // a new file
    Poll.until(() -> assertThat(latest()).containsExactly("a3", "b2", "bb1", "c2"));

    write(dir.resolve("c.yaml"), serviceEntry("c3", "c1.local"));
    Poll.until(() -> assertThat(latest()).containsExactly("a3", "b2", "bb1", "c3"));

    write(
        dir.resolve("b.yaml"), "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nspec: [\n");
    Poll.until(() -> assertThat(watcher.errors()).isNotEmpty());
    assertThat(watcher.errors().get(0).location().file()).endsWith("b.yaml");
    write(dir.resolve("c.yaml"), serviceEntry("c4", "c1.local"));
    Poll.until(() -> assertThat(latest()).containsExactly("a3", "b2", "bb1", "c4"));
    assertThat(watcher.errors()).isNotEmpty(); // b.yaml is still rejected, b2 still in effect

    write(dir.resolve("b.yaml"), serviceEntry("b3", "b1.local"));
    Poll.until(() -> assertThat(latest()).containsExactly("a3", "b3", "bb1", "c4"));
    assertThat(watcher.errors()).isEmpty();
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
