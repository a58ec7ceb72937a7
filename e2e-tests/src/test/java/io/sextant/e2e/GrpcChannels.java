package io.sextant.e2e;

import io.grpc.ManagedChannel;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/** Shuts down the xDS channels a proxyless test opened. */
final class GrpcChannels {
  private GrpcChannels() {}

  static void shutdown(Collection<ManagedChannel> channels) {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
