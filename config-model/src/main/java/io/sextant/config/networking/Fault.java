package io.sextant.config.networking;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Istio's {@code HTTPFaultInjection}: delay and/or abort a share of a route's requests.
 *
 * @param delay a fixed delay before forwarding, if any
 * @param abort an error answered instead of forwarding, if any
 */
public record Fault(Optional<Delay> delay, Optional<Abort> abort) {
  public Fault {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(abort, "abort");
  }

  /**
   * @param fixedDelay how long to wait before forwarding
   * @param percentage share of requests delayed, 0 to 100 (100 when the rule sets none)
   */
  public record Delay(Duration fixedDelay, double percentage) {
    public Delay {
      Objects.requireNonNull(fixedDelay, "fixedDelay");
    }
  }

  /**
   * @param status what the aborted requests receive
   * @param percentage share of requests aborted, 0 to 100 (100 when the rule sets none)
   */
  public record Abort(Status status, double percentage) {
    public Abort {
      Objects.requireNonNull(status, "status");
    }
  }

  /** An HTTP status or a gRPC status code. */
  public sealed interface Status {}

  /** An HTTP status, 200 to 599. */
  public record HttpStatus(int code) implements Status {}

  /**
   * A gRPC status.
   *
   * @param name the canonical name as Istio writes it, such as {@code UNAVAILABLE}
   * @param code its number, such as 14
   */
  public record GrpcStatus(String name, int code) implements Status {
    public GrpcStatus {
      Objects.requireNonNull(name, "name");
    }
  }
}
