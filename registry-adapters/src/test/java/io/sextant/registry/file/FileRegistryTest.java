package io.sextant.registry.file;

import static io.sextant.registry.file.ConfigFiles.serviceEntry;
import static io.sextant.registry.file.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.ConfigError;
import io.sextant.model.Endpoint;
import io.sextant.model.MeshService;
import io.sextant.registry.CapturedLog;
import io.sextant.registry.Poll;
import io.sextant.registry.RecordingListener;
import io.sextant.registry.ServiceEntryRegistry;
import io.sextant.registry.ServiceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FileRegistryTest {
  // Long, so that these tests show that change events alone keep the registry current.
  private static final Duration NO_RESCAN = Duration.ofHours(1);

  @TempDir Path dir;
  private final RecordingListener listener = new RecordingListener();
  private ServiceEntryRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private ServiceEntryRegistry start(Path... paths) {
    return start(NO_RESCAN, paths);
  }

  private ServiceEntryRegistry start(Duration rescanInterval, Path... paths) {
    registry = FileSources.registry("files", List.of(paths), rescanInterval);
    registry.start(listener);
    return registry;
  }

  private List<String> hostnames() {
    return registry.services().stream().map(MeshService::hostname).toList();
  }

  private List<String> addresses(String hostname) {
    return registry.services().stream()
        .filter(s -> s.hostname().equals(hostname))
        .flatMap(s -> s.endpoints().stream())
        .map(Endpoint::address)
        .toList();
  }

  private List<String> errors() {
    return registry.status().errors().stream().map(ConfigError::toString).toList();
  }

  @Test
  void directoryOfServiceEntries_isLoadedAndDeliveredBeforeStartReturns() {
    write(dir.resolve("reviews.yaml"), serviceEntry("reviews", "reviews.shop.local", "10.0.0.1"));
    write(dir.resolve("ratings.yml"), serviceEntry("ratings", "ratings.shop.local", "10.0.0.2"));

    start(dir);

    assertThat(registry.hasSynced()).isTrue();
    assertThat(hostnames()).containsExactlyInAnyOrder("reviews.shop.local", "ratings.shop.local");
    assertThat(listener.events())
        .extracting(e -> e.kind() + " " + e.hostname() + " from " + e.registry())
        .containsExactlyInAnyOrder(
            "ADDED reviews.shop.local from files", "ADDED ratings.shop.local from files");
    assertThat(registry.services().get(0).endpoints())
        .allSatisfy(e -> assertThat(e.origin()).isEqualTo("files"));
    assertThat(registry.status().errors()).isEmpty();
  }

  @Test
  void nestedDirectories_areRead() {
    write(dir.resolve("a/b/c/reviews.yaml"), serviceEntry("reviews", "reviews.shop.local"));

    start(dir);

    assertThat(hostnames()).containsExactly("reviews.shop.local");
  }

  @Test
  void editingAFile_updatesItsServiceWithTheNewEndpoints_andLeavesOthersUntouched() {
    Path reviews =
        write(dir.resolve("reviews.yaml"), serviceEntry("reviews", "reviews.local", "10.0.0.1"));
    write(dir.resolve("ratings.yaml"), serviceEntry("ratings", "ratings.local", "10.0.0.2"));
    start(dir);
    listener.clear();

    write(reviews, serviceEntry("reviews", "reviews.local", "10.0.0.1", "10.0.0.3"));
    Poll.until(() -> assertThat(addresses("reviews.local")).contains("10.0.0.3"));
    // services() shows a change only once all of its events are delivered.

    assertThat(listener.events()).hasSize(1); // none for the untouched ratings.local
    ServiceEvent event = listener.events().get(0);
    assertThat(event.kind() + " " + event.hostname()).isEqualTo("ENDPOINTS_UPDATED reviews.local");
    assertThat(event.service().orElseThrow().endpoints())
        .extracting(Endpoint::address)
        .containsExactly("10.0.0.1", "10.0.0.3");
  }

  @Test
  void deletingAFile_deletesItsServices() throws Exception {
    Path reviews = write(dir.resolve("reviews.yaml"), serviceEntry("reviews", "reviews.local"));
    write(dir.resolve("ratings.yaml"), serviceEntry("ratings", "ratings.local"));
    start(dir);

    Files.delete(reviews);

    Poll.until(() -> assertThat(listener.about("reviews.local")).endsWith("DELETED reviews.local"));
    assertThat(hostnames()).containsExactly("ratings.local");
  }

  static Stream<Arguments> rejectedFiles() {
    return Stream.of(
        Arguments.of(
            "invalid YAML",
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: name: reviews
            """,
            "reviews.yaml:3:15: invalid YAML: mapping values are not allowed here"),
        Arguments.of(
            "an unknown field",
            serviceEntry("reviews", "reviews.local", "10.0.0.9").replace("endpoints", "endpoint"),
            "reviews.yaml:8:3: spec.endpoint: unknown field 'endpoint'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedFiles")
  void rejectedFile_keepsThePreviousServices_andReportsWhereItIsWrong_untilAGoodWrite(
      String problem, String badContent, String expectedError) {
    Path reviews =
        write(dir.resolve("reviews.yaml"), serviceEntry("reviews", "reviews.local", "10.0.0.1"));
    start(dir);
    listener.clear();

    write(reviews, badContent);
    Poll.until(() -> assertThat(errors()).anySatisfy(e -> assertThat(e).contains(expectedError)));

    assertThat(addresses("reviews.local")).containsExactly("10.0.0.1");
    assertThat(listener.events()).isEmpty();
    assertThat(registry.status().errors().get(0).location().file()).isEqualTo(reviews.toString());

    write(reviews, serviceEntry("reviews", "reviews.local", "10.0.0.2"));
    Poll.until(
        () -> {
          assertThat(addresses("reviews.local")).containsExactly("10.0.0.2");
          assertThat(registry.status().errors()).isEmpty();
        });
  }

  @Test
  void hostDefinedInTwoFiles_keepsTheFirstFile_andReportsTheSecondAtItsLocation() {
    Path first = write(dir.resolve("a.yaml"), serviceEntry("first", "reviews.local", "10.0.0.1"));
    Path second = write(dir.resolve("b.yaml"), serviceEntry("second", "reviews.local", "10.0.0.2"));

    start(dir);

    assertThat(addresses("reviews.local")).containsExactly("10.0.0.1");
    assertThat(errors())
        .containsExactly(
            second
                + ":1:1: spec.hosts[0]: host reviews.local is already defined by"
                + " ServiceEntry default/first at "
                + first
                + ":1:1; ignored");
  }

  @Test
  void pathThatDoesNotExistYet_isReported_andLoadedOnceCreated() {
    Path later = dir.resolve("later");

    start(Duration.ofMillis(200), later);

    assertThat(registry.hasSynced()).isTrue();
    assertThat(registry.services()).isEmpty();
    assertThat(errors()).containsExactly(later + ":1:1: path does not exist");

    write(later.resolve("reviews.yaml"), serviceEntry("reviews", "reviews.local"));

    Poll.until(
        () -> {
          assertThat(hostnames()).containsExactly("reviews.local");
          assertThat(registry.status().errors()).isEmpty();
        });
  }

  @Test
  void ruleInARegistryFile_isIgnoredWithOneWarning_notReportedAsAnError() {
    String destinationRule =
        """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec: {host: reviews.local}
        """;
    Path mixed =
        write(
            dir.resolve("mixed.yaml"), serviceEntry("reviews", "reviews.local") + destinationRule);
    try (CapturedLog log = CapturedLog.of("io.sextant.registry.IgnoredResources")) {
      start(dir);
      write(mixed, serviceEntry("ratings", "ratings.local") + destinationRule);
      Poll.until(() -> assertThat(hostnames()).containsExactly("ratings.local"));

      assertThat(registry.status().errors()).isEmpty();
      assertThat(log.messages())
          .containsExactly(
              "files: ignoring DestinationRule in "
                  + mixed
                  + ": registries read ServiceEntry only; list this path under rules");
    }
  }
}
