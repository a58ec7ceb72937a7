package io.sextant.registry.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.ConfigError;
import io.sextant.config.ConfigLoader;
import io.sextant.config.ConfigResource;
import io.sextant.model.MeshService;
import io.sextant.registry.RecordingListener;
import io.sextant.registry.ResourceFeed;
import io.sextant.registry.ServiceDiff;
import io.sextant.registry.ServiceEntryRegistry;
import io.sextant.registry.ServiceEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What a registry of ServiceEntries makes of each new list of resources its feed delivers: the
 * services and the events a rebuild from that list alone would give, however it gets there. A list
 * that only replaces entries by others with the same hosts is applied in place.
 */
class ServiceEntryRegistryTest {
  private static final class Fed {
    final RecordingListener listener = new RecordingListener();
    final ServiceEntryRegistry registry;
    Consumer<List<ConfigResource>> sink;

    Fed() {
      registry =
          new ServiceEntryRegistry(
              "files",
              "file",
              s -> {
                sink = s;
                return new ResourceFeed() {
                  @Override
                  public void start() {}

                  @Override
                  public List<ConfigError> errors() {
                    return List.of();
                  }

                  @Override
                  public void close() {}
                };
              });
      registry.start(listener);
    }

    Fed deliver(List<ConfigResource> resources) {
      sink.accept(resources);
      return this;
    }
  }

  private static ConfigResource entry(String file, String host, String address) {
    List<ConfigResource> parsed =
        ConfigLoader.parse(file + ".yaml", ConfigFiles.serviceEntry(file, host, address))
            .resources();
    assertThat(parsed).hasSize(1);
    return parsed.get(0);
  }

  private static List<ConfigResource> replace(List<ConfigResource> list, int at, ConfigResource r) {
    List<ConfigResource> next = new ArrayList<>(list);
    next.set(at, r);
    return next;
  }

  private static List<String> rendered(List<ServiceEvent> events) {
    return events.stream().map(e -> e.kind() + " " + e.hostname()).toList();
  }

  /** The registry fed {@code before} then {@code after}, against one fed {@code after} alone. */
  private static void assertAppliedAsARebuildWould(
      List<ConfigResource> before, List<ConfigResource> after, List<String> expectedEvents) {
    Fed step = new Fed().deliver(before);
    List<MeshService> servicesBefore = step.registry.services();
    step.listener.clear();
    step.deliver(after);

    Fed fresh = new Fed().deliver(after);
    assertThat(step.registry.services()).isEqualTo(fresh.registry.services());
    assertThat(step.registry.status().errors()).isEqualTo(fresh.registry.status().errors());
    assertThat(rendered(step.listener.events())).containsExactlyElementsOf(expectedEvents);
    assertThat(rendered(step.listener.events()))
        .isEqualTo(
            rendered(
                ServiceDiff.between(
                    byHost(servicesBefore), byHost(fresh.registry.services()), "files")));
  }

  private static Map<String, MeshService> byHost(List<MeshService> services) {
    Map<String, MeshService> m = new LinkedHashMap<>();
    services.forEach(s -> m.put(s.hostname(), s));
    return m;
  }

  private final List<ConfigResource> three =
      List.of(
          entry("a", "a.shop.local", "10.0.0.1"),
          entry("b", "b.shop.local", "10.0.0.2"),
          entry("c", "c.shop.local", "10.0.0.3"));

  @Test
  void anEntryReplacedWithTheSameHost_updatesOnlyItsEndpoints_inItsPlace() {
    assertAppliedAsARebuildWould(
        three,
        replace(three, 1, entry("b", "b.shop.local", "10.0.0.9")),
        List.of("ENDPOINTS_UPDATED b.shop.local"));
  }

  @Test
  void anEntryReplacedWithTheSameContent_changesNothing() {
    assertAppliedAsARebuildWould(
        three, replace(three, 2, entry("c", "c.shop.local", "10.0.0.3")), List.of());
  }

  @Test
  void anEntryReplacedWithAnotherHost_addsOneServiceAndDeletesTheOther() {
    assertAppliedAsARebuildWould(
        three,
        replace(three, 1, entry("b", "bb.shop.local", "10.0.0.2")),
        List.of("ADDED bb.shop.local", "DELETED b.shop.local"));
  }

  @Test
  void anEntryAddedOrRemoved_isAppliedAsARebuildWould() {
    List<ConfigResource> four = new ArrayList<>(three);
    four.add(entry("d", "d.shop.local", "10.0.0.4"));
    assertAppliedAsARebuildWould(three, four, List.of("ADDED d.shop.local"));
    assertAppliedAsARebuildWould(four, three, List.of("DELETED d.shop.local"));
  }

  @Test
  void whileAHostIsDefinedTwice_aReplacedEntryIsAppliedAsARebuildWould() {
    List<ConfigResource> withTwin = new ArrayList<>(three);
    withTwin.add(entry("twin", "a.shop.local", "10.0.0.8"));
    List<ConfigResource> next = replace(withTwin, 1, entry("b", "b.shop.local", "10.0.0.9"));

    assertAppliedAsARebuildWould(withTwin, next, List.of("ENDPOINTS_UPDATED b.shop.local"));
    assertThat(new Fed().deliver(next).registry.status().errors())
        .singleElement()
        .asString()
        .contains("a.shop.local is already defined by");
  }

  @Test
  void anEntryTakingAHostAnotherDefines_isReportedAndTheFirstDefinitionKept() {
    List<ConfigResource> next = replace(three, 2, entry("c", "a.shop.local", "10.0.0.7"));

    assertAppliedAsARebuildWould(three, next, List.of("DELETED c.shop.local"));
    Fed fed = new Fed().deliver(three).deliver(next);
    assertThat(fed.registry.services())
        .filteredOn(s -> s.hostname().equals("a.shop.local"))
        .singleElement()
        .satisfies(s -> assertThat(s.endpoints().get(0).address()).isEqualTo("10.0.0.1"));
  }
}
