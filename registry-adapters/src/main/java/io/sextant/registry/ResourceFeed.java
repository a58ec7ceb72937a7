package io.sextant.registry;

import io.sextant.config.ConfigError;
import io.sextant.config.ConfigResource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Keeps a set of Istio resources current, from files or from Kubernetes custom resources, and hands
 * all resources in effect to its sink after every change. A resource that fails validation is left
 * out and reported in {@link #errors()}; its last good version stays in effect where the feed can
 * tell which one that was.
 */
public interface ResourceFeed extends AutoCloseable {
  /** Creates a feed that delivers to {@code sink}. */
  @FunctionalInterface
  interface Factory {
    ResourceFeed create(Consumer<List<ConfigResource>> sink);
  }

  /** Begins watching; the first delivery may come from this call or from the feed's thread. */
  void start();

  /** Resources currently rejected, and problems reaching the backend. */
  List<ConfigError> errors();

  /** True while the backend is unreachable and the last known resources are served. */
  default boolean stale() {
    return false;
  }

  /**
   * How many times a file or resource version was rejected since the feed started (a version is
   * counted once, however often it is re-read).
   */
  default long rejections() {
    return 0;
  }

  /** When the feed last knew its resources to be current; empty for feeds that always do. */
  default Optional<Instant> lastSync() {
    return Optional.empty();
  }

  @Override
  void close();
}
