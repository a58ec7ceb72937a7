package io.sextant.bench.loadgen;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Responses and bytes received, per xDS type. */
final class TypeStats {
  enum Type {
    LDS("type.googleapis.com/envoy.config.listener.v3.Listener"),
    RDS("type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
    CDS("type.googleapis.com/envoy.config.cluster.v3.Cluster"),
    EDS("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment");

    final String url;

    Type(String url) {
      this.url = url;
    }

    static Type of(String url) {
      for (Type t : values()) {
        if (t.url.equals(url)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unexpected type " + url);
    }
  }

  private final Map<Type, LongAdder> responses = new EnumMap<>(Type.class);
  private final Map<Type, LongAdder> resources = new EnumMap<>(Type.class);
  private final Map<Type, LongAdder> bytes = new EnumMap<>(Type.class);

  TypeStats() {
    for (Type t : Type.values()) {
      responses.put(t, new LongAdder());
      resources.put(t, new LongAdder());
      bytes.put(t, new LongAdder());
    }
  }

  void record(Type type, int resourceCount, int size) {
    responses.get(type).increment();
    resources.get(type).add(resourceCount);
    bytes.get(type).add(size);
  }

  /** Counts since the last reset, then zeroes them. */
  Map<Type, long[]> drain() {
    Map<Type, long[]> out = new EnumMap<>(Type.class);
    for (Type t : Type.values()) {
      out.put(
          t,
          new long[] {
            responses.get(t).sumThenReset(),
            resources.get(t).sumThenReset(),
            bytes.get(t).sumThenReset()
          });
    }
    return out;
  }
}
