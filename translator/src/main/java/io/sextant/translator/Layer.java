package io.sextant.translator;

import com.google.protobuf.Message;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Resources of one xDS type that a set of proxy groups share: every sidecar's outbound clusters,
 * the endpoints everyone sees, one namespace's routes, one workload's inbound listeners. Computed
 * once per mesh snapshot and handed to every group that needs it, so the work and the memory are
 * paid once, not once per group. Resources are sorted by name.
 */
public final class Layer {
  private final String key;
  private final List<? extends Message> resources;
  private ConsistencyFacts facts;

  public Layer(String key, List<? extends Message> resources) {
    this.key = Objects.requireNonNull(key, "key");
    this.resources = List.copyOf(resources);
  }

  /** What the layer stands for, e.g. {@code cds/SIDECAR} or {@code rds/SIDECAR/REDIRECT/shop}. */
  public String key() {
    return key;
  }

  public List<? extends Message> resources() {
    return resources;
  }

  /**
   * Names, references and internal problems of the layer, computed by {@code compute} from the
   * resources on first use.
   */
  synchronized ConsistencyFacts facts(Function<List<? extends Message>, ConsistencyFacts> compute) {
    if (facts == null) {
      facts = compute.apply(resources);
    }
    return facts;
  }

  @Override
  public String toString() {
    return key + " (" + resources.size() + ")";
  }
}
