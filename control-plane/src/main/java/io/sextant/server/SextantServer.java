package io.sextant.server;

import io.sextant.registry.AggregateRegistry;
import io.sextant.registry.RuleSource;
import io.sextant.registry.ServiceRegistry;
import io.sextant.registry.SourceStatus;
import io.sextant.registry.xds.ProxyRegistry;
import io.sextant.server.admin.AdminServer;
import io.sextant.server.admin.Metrics;
import io.sextant.server.admin.RegistryState;
import io.sextant.server.config.SextantConfig;
import io.sextant.server.push.PushScheduler;
import io.sextant.server.xds.ProxyRegistrar;
import io.sextant.server.xds.ProxyTracker;
import io.sextant.server.xds.XdsServer;
import io.sextant.server.xds.XdsStreams;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole control plane, wired from a {@link SextantConfig}: what {@code sextant serve} runs. */
public final class SextantServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SextantServer.class);

  private final AggregateRegistry registry;
  private final List<RuleSource> rules;
  private final PushScheduler scheduler;
  private final ProxyTracker tracker;
  private final XdsServer xds;
  private final AdminServer admin;
  private final Metrics metrics;

  private SextantServer(SextantConfig config) throws IOException {
    metrics = new Metrics();
    List<ServiceRegistry> registries = new ArrayList<>();
    List<Integer> priorities = new ArrayList<>();
    for (SextantConfig.Source s : config.registries()) {
      for (ServiceRegistry r : Sources.registries(s)) {
        registries.add(r);
        priorities.add(s.priority());
      }
    }
    registry = new AggregateRegistry(registries, priorities);
    rules = new ArrayList<>();
    for (SextantConfig.Source s : config.rules()) {
      rules.add(Sources.rules(s));
    }
    XdsStreams streams = new XdsStreams(config.push().maxInFlightBytes());
    scheduler =
        new PushScheduler(
            registry::services,
            () -> registry.hasSynced() && rules.stream().allMatch(RuleSource::hasSynced),
            config.mesh(),
            config.push(),
            streams,
            metrics);
    tracker = new ProxyTracker(scheduler, metrics, Clock.systemUTC());
    tracker.registerProxiesWith(
        new ProxyRegistrar(
            registries.stream()
                .map(Sources::unwrap)
                .filter(r -> r instanceof ProxyRegistry)
                .map(r -> (ProxyRegistry) r)
                .toList(),
            config.clusterDomain()));
    metrics.rejectedConfigFiles(() -> sources().stream().mapToLong(s -> s.errors().size()).sum());
    metrics.configRejections(() -> sources().stream().mapToLong(SourceStatus::rejections).sum());
    metrics.registries(this::registryStates);

    scheduler.start();
    registry.start(scheduler);
    for (RuleSource r : rules) {
      r.start(scheduler);
    }
    xds =
        new XdsServer(
                config.xds().address(),
                config.xds().port(),
                config.xds().transport(),
                streams,
                tracker)
            .start();
    admin =
        new AdminServer(
                config.admin().address(),
                config.admin().port(),
                scheduler,
                tracker,
                this::sources,
                this::registryStates,
                metrics)
            .start();
    LOG.info(
        "Sextant started: xDS (ADS, sotw and delta) on {}:{}, admin on http://{}:{}",
        config.xds().address(),
        xds.port(),
        config.admin().address(),
        admin.port());
  }

  /** Starts every part; returns once the servers listen (configuration may still be syncing). */
  public static SextantServer start(SextantConfig config) throws IOException {
    return new SextantServer(config);
  }

  public int xdsPort() {
    return xds.port();
  }

  public int adminPort() {
    return admin.port();
  }

  public boolean isReady() {
    return scheduler.isReady();
  }

  public PushScheduler scheduler() {
    return scheduler;
  }

  public ProxyTracker tracker() {
    return tracker;
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Every registry and rule source with its current errors. */
  public List<SourceStatus> sources() {
    List<SourceStatus> all = new ArrayList<>(registry.childStatuses());
    rules.forEach(r -> all.add(r.status()));
    return all;
  }

  /** Every registry with its status and what it currently holds. */
  public List<RegistryState> registryStates() {
    return registry.registries().stream().map(RegistryState::of).toList();
  }

  /** Stops taking new streams, lets open ones go, then stops watching sources. */
  @Override
  public void close() {
    LOG.info("shutting down");
    xds.close();
    admin.close();
    scheduler.close();
    registry.close();
    rules.forEach(RuleSource::close);
    LOG.info("stopped");
  }
}
