package io.sextant.server.testing;

import io.sextant.model.MeshService;
import io.sextant.model.MeshSettings;
import io.sextant.registry.MemoryRegistry;
import io.sextant.registry.SourceStatus;
import io.sextant.server.admin.AdminServer;
import io.sextant.server.admin.Metrics;
import io.sextant.server.admin.RegistryState;
import io.sextant.server.config.SextantConfig;
import io.sextant.server.push.PushScheduler;
import io.sextant.server.xds.ProxyTracker;
import io.sextant.server.xds.XdsServer;
import io.sextant.server.xds.XdsStreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The control plane wired by hand around an in-memory registry, with a switch standing for "every
 * source has delivered its first state", so tests control what file sources decide on their own.
 */
public final class Pipeline implements AutoCloseable {
  public final MemoryRegistry registry = new MemoryRegistry("memory");
  public final Metrics metrics = new Metrics();
  public final PushScheduler scheduler;

  /** The streams and tracker behind the xDS server, for a test to serve them another way too. */
  public final XdsStreams streams = new XdsStreams();

  public final ProxyTracker tracker;
  private final AtomicBoolean synced;
  private final XdsServer xds;
  private final AdminServer admin;

  /**
   * @param push debounce settings
   * @param syncedAtStart whether the sources count as synced from the beginning
   * @param services what the registry holds when it starts
   */
  public Pipeline(SextantConfig.Push push, boolean syncedAtStart, MeshService... services) {
    this(push, Duration.ofSeconds(60), syncedAtStart, services);
  }

  /**
   * @param groupIdle how long a group whose proxies all left is kept before it is dropped
   */
  public Pipeline(
      SextantConfig.Push push, Duration groupIdle, boolean syncedAtStart, MeshService... services) {
    this(push, groupIdle, syncedAtStart, SextantConfig.XdsTransport.BUILTIN, services);
  }

  /**
   * @param transport how the xDS server speaks HTTP/2
   */
  public Pipeline(
      SextantConfig.Push push,
      Duration groupIdle,
      boolean syncedAtStart,
      SextantConfig.XdsTransport transport,
      MeshService... services) {
    synced = new AtomicBoolean(syncedAtStart);
    for (MeshService s : services) {
      registry.put(s);
    }
    scheduler =
        new PushScheduler(
            registry::services,
            synced::get,
            MeshSettings.DEFAULT,
            push,
            streams,
            metrics,
            groupIdle);
    tracker = new ProxyTracker(scheduler, metrics, Clock.systemUTC());
    scheduler.start();
    registry.start(scheduler);
    try {
      xds = new XdsServer("127.0.0.1", 0, transport, streams, tracker).start();
      admin =
          new AdminServer(
                  "127.0.0.1",
                  0,
                  scheduler,
                  tracker,
                  this::sources,
                  () -> List.of(RegistryState.of(registry)),
                  metrics)
              .start();
    } catch (IOException e) {
      scheduler.close();
      throw new UncheckedIOException(e);
    }
  }

  /** Marks every source as synced, as the first complete state from each would. */
  public void sync() {
    synced.set(true);
  }

  public int xdsPort() {
    return xds.port();
  }

  public AdminClient admin() {
    return new AdminClient(admin.port());
  }

  private List<SourceStatus> sources() {
    return List.of(new SourceStatus("memory", "memory", synced.get(), false, List.of()));
  }

  @Override
  public void close() {
    xds.close();
    admin.close();
    scheduler.close();
    registry.close();
  }
}
