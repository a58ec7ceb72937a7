package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One kind of object watched by one informer per namespace (or one for all namespaces), read as a
 * single cache.
 */
final class Watched<T extends HasMetadata> {
  private final String kind;
  private final List<SharedIndexInformer<T>> informers;

  Watched(String kind, List<SharedIndexInformer<T>> informers) {
    this.kind = kind;
    this.informers = List.copyOf(informers);
  }

  String kind() {
    return kind;
  }

  /** Completes when every informer has listed its objects once. */
  CompletableFuture<Void> started() {
    return CompletableFuture.allOf(
        informers.stream()
            .map(i -> i.start().toCompletableFuture())
            .toArray(CompletableFuture[]::new));
  }

  /** True while every informer's watch is open. */
  boolean watching() {
    return informers.stream().allMatch(SharedIndexInformer::isWatching);
  }

  /** The object with key {@code NAMESPACE/NAME} (or {@code NAME} for cluster objects). */
  Optional<T> get(String key) {
    for (SharedIndexInformer<T> informer : informers) {
      T item = informer.getStore().getByKey(key);
      if (item != null) {
        return Optional.of(item);
      }
    }
    return Optional.empty();
  }

  /**
   * The objects filed under {@code key} in {@code index}, read while no informer is moving an
   * object between index entries.
   *
   * <p>fabric8's cache updates an object's index entries by removing the old ones and adding the
   * new ones, holding the cache's monitor; its index reads do not take that monitor. A relist (at
   * start with a server that replays its objects on the watch, or after {@code 410 Gone}) puts
   * every object again with the same resource version, which fires no event. An unlocked read in
   * that instant misses an object that never went away, and nothing follows to correct it: a
   * service would be served without that slice's endpoints until its next change.
   */
  List<T> byIndex(String index, String key) {
    List<T> all = new ArrayList<>();
    for (SharedIndexInformer<T> informer : informers) {
      Indexer<T> indexer = informer.getIndexer();
      synchronized (indexer) {
        all.addAll(indexer.byIndex(index, key));
      }
    }
    return all;
  }

  List<T> list() {
    List<T> all = new ArrayList<>();
    for (SharedIndexInformer<T> informer : informers) {
      all.addAll(informer.getStore().list());
    }
    return all;
  }

  void close() {
    informers.forEach(SharedIndexInformer::stop);
  }
}
