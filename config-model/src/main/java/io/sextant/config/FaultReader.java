package io.sextant.config;

import io.sextant.config.networking.Fault;
import io.sextant.config.yaml.YamlObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Reads Istio's {@code HTTPFaultInjection} ({@code fault} on an HTTP route). */
final class FaultReader {
  /** gRPC's canonical status names, in code order, as Istio accepts them in {@code grpcStatus}. */
  static final List<String> GRPC_STATUS_NAMES =
      List.of(
          "OK",
          "CANCELLED",
          "UNKNOWN",
          "INVALID_ARGUMENT",
          "DEADLINE_EXCEEDED",
          "NOT_FOUND",
          "ALREADY_EXISTS",
          "PERMISSION_DENIED",
          "RESOURCE_EXHAUSTED",
          "FAILED_PRECONDITION",
          "ABORTED",
          "OUT_OF_RANGE",
          "UNIMPLEMENTED",
          "INTERNAL",
          "UNAVAILABLE",
          "DATA_LOSS",
          "UNAUTHENTICATED");

  private static final double ALL = 100;

  private FaultReader() {}

  static Fault read(YamlObject f) {
    Optional<Fault.Delay> delay = f.object("delay").map(FaultReader::readDelay);
    Optional<Fault.Abort> abort = f.object("abort").map(FaultReader::readAbort);
    if (!f.has("delay") && !f.has("abort")) {
      f.problems().add(f.location(), f.path(), "set 'delay', 'abort' or both");
    }
    f.finish();
    return new Fault(delay, abort);
  }

  private static Fault.Delay readDelay(YamlObject d) {
    Optional<Duration> fixed = IstioDurations.read(d, "fixedDelay", Duration.ofMillis(1));
    if (!d.has("fixedDelay")) {
      d.error("fixedDelay", "missing required field 'fixedDelay'");
    }
    double percentage = percentage(d);
    d.unsupported("exponentialDelay");
    d.finish();
    return new Fault.Delay(fixed.orElse(Duration.ofMillis(1)), percentage);
  }

  /** {@code percentage}, or the deprecated integer {@code percent}; 100 when neither is set. */
  private static double percentage(YamlObject d) {
    Optional<Double> percentage = Percentages.read(d, "percentage");
    Optional<Integer> percent = d.integer("percent", 0, 100);
    if (d.has("percentage") && d.has("percent")) {
      d.error("percent", "set only one of 'percentage' and the deprecated 'percent'");
    }
    return percentage.or(() -> percent.map(Integer::doubleValue)).orElse(ALL);
  }

  private static Fault.Abort readAbort(YamlObject a) {
    Optional<Integer> http = a.integer("httpStatus", 200, 599);
    Optional<Fault.Status> grpc = a.string("grpcStatus").flatMap(name -> grpcStatus(a, name));
    if (a.has("http2Error")) {
      a.error(
          "http2Error",
          "field 'http2Error' is valid in Istio but not supported by Sextant (Envoy cannot"
              + " inject HTTP/2 errors); use httpStatus or grpcStatus");
    }
    int set = (a.has("httpStatus") ? 1 : 0) + (a.has("grpcStatus") ? 1 : 0);
    if (set == 0 && !a.has("http2Error")) {
      a.problems().add(a.location(), a.path(), "set one of 'httpStatus' and 'grpcStatus'");
    } else if (set > 1) {
      a.error("grpcStatus", "set only one of 'httpStatus' and 'grpcStatus'");
    }
    Optional<Double> percentage = Percentages.read(a, "percentage");
    a.finish();
    Fault.Status status =
        http.<Fault.Status>map(Fault.HttpStatus::new)
            .or(() -> grpc)
            .orElse(new Fault.HttpStatus(503));
    return new Fault.Abort(status, percentage.orElse(ALL));
  }

  private static Optional<Fault.Status> grpcStatus(YamlObject a, String name) {
    int code = GRPC_STATUS_NAMES.indexOf(name);
    if (code < 0) {
      a.error(
          "grpcStatus",
          "expected a gRPC status name such as UNAVAILABLE (one of "
              + String.join(", ", GRPC_STATUS_NAMES)
              + "), got '"
              + name
              + "'");
      return Optional.empty();
    }
    return Optional.of(new Fault.GrpcStatus(name, code));
  }
}
