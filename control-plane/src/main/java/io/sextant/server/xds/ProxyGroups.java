package io.sextant.server.xds;

import io.sextant.translator.ProxyContext;

/**
 * Told when ADS streams open and close, so configuration is built for exactly the proxy groups in
 * use. Streams, not proxy ids, are counted: a reconnecting proxy's new stream may open before its
 * old one closes.
 */
public interface ProxyGroups {
  void connected(long streamId, ProxyContext proxy);

  void disconnected(long streamId, ProxyContext proxy);
}
