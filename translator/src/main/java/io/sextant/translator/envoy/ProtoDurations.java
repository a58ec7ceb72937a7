package io.sextant.translator.envoy;

import com.google.protobuf.Duration;

/** Java durations as protobuf's. */
public final class ProtoDurations {
  private ProtoDurations() {}

  public static Duration of(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }
}
