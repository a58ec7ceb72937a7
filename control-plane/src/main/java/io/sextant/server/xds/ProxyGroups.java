package io.sextant.server.xds;

import io.sextant.translator.ProxyContext;

/** Told when proxies come and go, so configuration is built for exactly the groups in use. */
public interface ProxyGroups {
  void connected(ProxyContext proxy);

  void disconnected(ProxyContext proxy);
}
