package io.sextant.translator.envoy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/**
 * Prints and parses Envoy protos as proto3 JSON, knowing every type Sextant packs in {@code Any}.
 */
public final class ProtoJson {
  public static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(Listener.getDescriptor())
          .add(RouteConfiguration.getDescriptor())
          .add(Cluster.getDescriptor())
          .add(ClusterLoadAssignment.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(TcpProxy.getDescriptor())
          .add(Router.getDescriptor())
          .add(OriginalDst.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .add(UpstreamTlsContext.getDescriptor())
          .add(Bootstrap.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3
                  .PreviousPrioritiesConfig.getDescriptor())
          // The HTTP filter features' configurations (see translator's HttpFilters).
          .add(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                  .getDescriptor())
          .build();

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES);
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);

  private ProtoJson() {}

  public static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "cannot print " + message.getDescriptorForType().getFullName(), e);
    }
  }

  /** Parses proto3 JSON into {@code builder}; unknown fields are errors. */
  public static <B extends Message.Builder> B parse(String json, B builder)
      throws InvalidProtocolBufferException {
    PARSER.merge(json, builder);
    return builder;
  }
}
