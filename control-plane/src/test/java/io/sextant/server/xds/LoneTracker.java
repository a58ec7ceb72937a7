package io.sextant.server.xds;

import io.sextant.server.admin.Metrics;
import io.sextant.translator.ProxyContext;
import java.time.Clock;

/**
 * A proxy tracker that tells no push scheduler of the proxies it sees: for tests of streams alone.
 */
final class LoneTracker {
  private LoneTracker() {}

  static ProxyTracker create() {
    ProxyGroups nobody =
        new ProxyGroups() {
          @Override
          public void connected(long streamId, ProxyContext proxy) {}

          @Override
          public void disconnected(long streamId, ProxyContext proxy) {}
        };
    return new ProxyTracker(nobody, new Metrics(), Clock.systemUTC());
  }
}
