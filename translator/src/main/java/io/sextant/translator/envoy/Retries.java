package io.sextant.translator.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import java.util.Optional;

/** Builds Envoy retry policies from Istio's {@code HTTPRetry}, as Istio does. */
public final class Retries {
  static final String PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";
  static final String PREVIOUS_PRIORITIES = "envoy.retry_priorities.previous_priorities";

  /** How often Envoy re-picks a host that a retry predicate rejected, as in Istio. */
  static final int HOST_SELECTION_ATTEMPTS = 5;

  /** Istio's default policy, built once: it goes on nearly every route. */
  private static final Optional<RetryPolicy> DEFAULT =
      build(io.sextant.config.networking.RetryPolicy.ISTIO_DEFAULT, false);

  private static final Optional<RetryPolicy> DEFAULT_FOR_CONSISTENT_HASH =
      build(io.sextant.config.networking.RetryPolicy.ISTIO_DEFAULT, true);

  private Retries() {}

  /**
   * The retry policy, or nothing when {@code attempts} is 0. Retries avoid hosts already tried
   * unless the policy says otherwise or the route hashes requests to one host ({@code
   * consistentHash}), where another host would break the pinning.
   */
  public static Optional<RetryPolicy> policy(
      io.sextant.config.networking.RetryPolicy p, boolean consistentHash) {
    if (p.equals(io.sextant.config.networking.RetryPolicy.ISTIO_DEFAULT)) {
      return consistentHash ? DEFAULT_FOR_CONSISTENT_HASH : DEFAULT;
    }
    return build(p, consistentHash);
  }

  private static Optional<RetryPolicy> build(
      io.sextant.config.networking.RetryPolicy p, boolean consistentHash) {
    if (p.attempts() <= 0) {
      return Optional.empty();
    }
    RetryPolicy.Builder b =
        RetryPolicy.newBuilder()
            .setNumRetries(UInt32Value.of(p.attempts()))
            .setRetryOn(String.join(",", p.retryOn()))
            .setHostSelectionRetryMaxAttempts(HOST_SELECTION_ATTEMPTS);
    p.statusCodes().forEach(b::addRetriableStatusCodes);
    p.perTryTimeout().ifPresent(t -> b.setPerTryTimeout(ProtoDurations.of(t)));
    if (p.ignorePreviousHosts().orElse(!consistentHash)) {
      b.addRetryHostPredicate(
          RetryPolicy.RetryHostPredicate.newBuilder()
              .setName(PREVIOUS_HOSTS)
              .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())));
    }
    if (p.retryRemoteLocalities()) {
      b.setRetryPriority(
          RetryPolicy.RetryPriority.newBuilder()
              .setName(PREVIOUS_PRIORITIES)
              .setTypedConfig(
                  Any.pack(PreviousPrioritiesConfig.newBuilder().setUpdateFrequency(2).build())));
    }
    p.backoff()
        .ifPresent(
            d ->
                b.setRetryBackOff(
                    RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(ProtoDurations.of(d))));
    return Optional.of(b.build());
  }
}
