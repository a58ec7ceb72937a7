package io.sextant.config.networking;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Istio's {@code LoadBalancerSettings}: a simple policy or a consistent hash (never both), locality
 * settings, and a warm-up window for new endpoints.
 *
 * @param simple the simple policy; {@code UNSPECIFIED} when unset
 * @param consistentHash hashing instead of a simple policy
 * @param locality {@code localityLbSetting}
 * @param warmup {@code warmupDurationSecs}: Envoy's slow start window
 */
public record LoadBalancer(
    Simple simple,
    Optional<ConsistentHash> consistentHash,
    Optional<LocalityLb> locality,
    Optional<Duration> warmup) {

  public LoadBalancer {
    Objects.requireNonNull(simple, "simple");
    Objects.requireNonNull(consistentHash, "consistentHash");
    Objects.requireNonNull(locality, "locality");
    Objects.requireNonNull(warmup, "warmup");
  }

  /** Istio's simple policies ({@code LEAST_CONN} is read as its alias {@code LEAST_REQUEST}). */
  public enum Simple {
    UNSPECIFIED,
    ROUND_ROBIN,
    LEAST_REQUEST,
    RANDOM,
    PASSTHROUGH
  }

  /** What to hash, and how to turn hashes into endpoints. */
  public record ConsistentHash(HashKey key, HashAlgorithm algorithm) {
    public ConsistentHash {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(algorithm, "algorithm");
    }
  }

  /** The request property a consistent hash is computed from. */
  public sealed interface HashKey {
    record Header(String name) implements HashKey {
      public Header {
        Objects.requireNonNull(name, "name");
      }
    }

    /** A cookie; with a {@code ttl}, Envoy sets the cookie when the request lacks it. */
    record Cookie(String name, String path, Optional<Duration> ttl) implements HashKey {
      public Cookie {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(ttl, "ttl");
      }
    }

    record SourceIp() implements HashKey {}

    record QueryParameter(String name) implements HashKey {
      public QueryParameter {
        Objects.requireNonNull(name, "name");
      }
    }
  }

  /** Ring hash (Envoy's and Istio's default) or Maglev. */
  public sealed interface HashAlgorithm {
    /** {@code minimumRingSize} 0 means Envoy's default (1024). */
    record RingHash(long minimumRingSize) implements HashAlgorithm {}

    /** {@code tableSize} 0 means Envoy's default (65537). */
    record Maglev(long tableSize) implements HashAlgorithm {}
  }

  /**
   * Istio's {@code LocalityLoadBalancerSetting}.
   *
   * @param failoverPriority labels ranking endpoints by how many of them, in order from the first,
   *     have the client's value (or the given value)
   */
  public record LocalityLb(
      Optional<Boolean> enabled,
      List<Distribute> distribute,
      List<Failover> failover,
      List<PriorityLabel> failoverPriority) {
    public LocalityLb {
      Objects.requireNonNull(enabled, "enabled");
      distribute = List.copyOf(distribute);
      failover = List.copyOf(failover);
      failoverPriority = List.copyOf(failoverPriority);
    }

    /** Traffic from localities matching {@code from} is split over {@code to} by weight. */
    public record Distribute(String from, java.util.Map<String, Integer> to) {
      public Distribute {
        Objects.requireNonNull(from, "from");
        to = java.util.Map.copyOf(to);
      }
    }

    /**
     * One {@code failoverPriority} entry: {@code key}, compared between endpoint and client, or
     * {@code key=value}, where endpoints are compared with {@code value} instead of the client.
     */
    public record PriorityLabel(String key, Optional<String> value) {
      public PriorityLabel {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
      }

      @Override
      public String toString() {
        return value.map(v -> key + "=" + v).orElse(key);
      }
    }

    /** When region {@code from} has no healthy endpoint, traffic goes to region {@code to}. */
    public record Failover(String from, String to) {
      public Failover {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
      }
    }
  }

  /** The settings Istio's {@code consistentHash} or {@code simple} leave at their defaults. */
  public static LoadBalancer simple(Simple simple) {
    return new LoadBalancer(simple, Optional.empty(), Optional.empty(), Optional.empty());
  }
}
