package io.sextant.translator;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.sextant.model.MeshService;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.Listeners;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * Listeners for proxyless gRPC clients: one API listener per HTTP service port, named {@code
 * HOST:PORT} because grpc-java asks for exactly the authority of its {@code xds:///} target. Each
 * points at the same per-port route configuration sidecars use, with the HTTP filters grpc-java
 * runs (fault injection) before the router.
 */
final class GrpcListeners {
  private GrpcListeners() {}

  static List<Listener> build(MeshIndex index) {
    List<Listener> listeners = new ArrayList<>();
    for (MeshService service : index.services()) {
      for (ServicePort port : service.service().ports()) {
        if (!port.protocol().isHttp()) {
          continue;
        }
        String name = Names.hostPort(service.hostname(), port.number());
        listeners.add(
            Listeners.apiListener(
                name,
                Listeners.rdsConnectionManager(
                    name,
                    Names.routeConfig(port.number()),
                    HttpFilters.connectionManagerFilters(ProxyKind.GRPC))));
      }
    }
    return listeners;
  }
}
