package io.sextant.registry;

import io.sextant.model.MeshService;
import java.util.List;

/**
 * A source of services and their endpoints: Kubernetes, Consul, ZooKeeper, files, or the aggregate
 * of several of these. Adapters convert their native objects to model types before anything leaves
 * them.
 *
 * <p>Lifecycle: {@link #start} once, then events flow to the listener from the registry's own
 * threads until {@link #close}. A registry that loses its backend keeps its last known state,
 * reports itself {@link SourceStatus#stale() stale}, and never deletes services because of the
 * outage.
 */
public interface ServiceRegistry extends AutoCloseable {
  /** The name configured for this registry; recorded as the origin of its endpoints. */
  String name();

  /**
   * Begins watching. Every service known at start is delivered as an event before {@link
   * #hasSynced()} turns true.
   */
  void start(RegistryListener listener);

  /** True once the registry has delivered its first complete state. */
  boolean hasSynced();

  /** The current state, one entry per hostname; safe to call from any thread. */
  List<MeshService> services();

  /** Health of this source, for {@code /readyz}, {@code /debug/configz} and metrics. */
  SourceStatus status();

  @Override
  void close();
}
