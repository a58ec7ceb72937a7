package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer cache that keeps only what Sextant reads. Objects from a real API server carry {@code
 * managedFields} and annotations such as {@code kubectl.kubernetes.io/last-applied- configuration}
 * that often outweigh the rest; across tens of thousands of objects they would dominate the heap.
 */
final class LeanStore<T extends HasMetadata> implements ItemStore<T> {
  private final ConcurrentHashMap<String, T> items = new ConcurrentHashMap<>();
  private final UnaryOperator<T> slim;

  /** {@code slim} returns the object to keep; it may strip the one it is given. */
  LeanStore(UnaryOperator<T> slim) {
    this.slim = slim;
  }

  /** Drops managed fields and annotations, keeps everything else. */
  static <T extends HasMetadata> LeanStore<T> withoutBookkeeping() {
    return new LeanStore<>(LeanStore::stripBookkeeping);
  }

  /** {@code item} without managed fields and annotations. */
  static <T extends HasMetadata> T stripBookkeeping(T item) {
    item.getMetadata().setManagedFields(null);
    item.getMetadata().setAnnotations(null);
    return item;
  }

  @Override
  public String getKey(T item) {
    return Cache.metaNamespaceKeyFunc(item);
  }

  @Override
  public T put(String key, T item) {
    return items.put(key, slim.apply(item));
  }

  @Override
  public T remove(String key) {
    return items.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<T> values() {
    return items.values().stream();
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public T get(String key) {
    return items.get(key);
  }
}
