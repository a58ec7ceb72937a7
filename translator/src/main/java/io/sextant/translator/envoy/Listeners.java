package io.sextant.translator.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;

/** Builds listeners, filter chains and the network filters Sextant puts in them. */
public final class Listeners {
  public static final String HTTP_CONNECTION_MANAGER =
      "envoy.filters.network.http_connection_manager";
  public static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  public static final String ROUTER = "envoy.filters.http.router";
  public static final String ORIGINAL_DST = "envoy.filters.listener.original_dst";

  private Listeners() {}

  /** A listener on {@code address:port}; {@code bind} false means it only receives hand-offs. */
  public static Listener.Builder listener(
      String name, String address, int port, boolean bind, TrafficDirection direction) {
    Listener.Builder l =
        Listener.newBuilder()
            .setName(name)
            .setAddress(Endpoints.socketAddress(address, port))
            .setTrafficDirection(direction);
    if (!bind) {
      l.setBindToPort(BoolValue.of(false));
    }
    return l;
  }

  /** A listener that hands connections to the listener matching their original destination. */
  public static Listener.Builder originalDestinationListener(
      String name, int port, TrafficDirection direction) {
    return listener(name, Names.WILDCARD_ADDRESS, port, true, direction)
        .setUseOriginalDst(BoolValue.of(true));
  }

  /** Restores the pre-iptables destination so filter chains can match on it. */
  public static ListenerFilter originalDstFilter() {
    return ListenerFilter.newBuilder()
        .setName(ORIGINAL_DST)
        .setTypedConfig(Any.pack(OriginalDst.getDefaultInstance()))
        .build();
  }

  /** An HTTP connection manager that fetches route configuration {@code rdsName} over ADS. */
  public static HttpConnectionManager rdsConnectionManager(String statPrefix, String rdsName) {
    return rdsConnectionManager(statPrefix, rdsName, List.of());
  }

  /** The same, with {@code filters} in this order before the router. */
  public static HttpConnectionManager rdsConnectionManager(
      String statPrefix, String rdsName, List<HttpFilter> filters) {
    return connectionManager(statPrefix, filters)
        .setRds(Rds.newBuilder().setConfigSource(Clusters.ads()).setRouteConfigName(rdsName))
        .build();
  }

  /** An HTTP connection manager with its route configuration inline. */
  public static HttpConnectionManager inlineConnectionManager(
      String statPrefix, RouteConfiguration routes) {
    return connectionManager(statPrefix, List.of()).setRouteConfig(routes).build();
  }

  private static HttpConnectionManager.Builder connectionManager(
      String statPrefix, List<HttpFilter> filters) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .addAllHttpFilters(filters)
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName(ROUTER)
                .setTypedConfig(Any.pack(Router.getDefaultInstance())));
  }

  /** An HTTP filter of a connection manager, configured by {@code config}. */
  public static HttpFilter httpFilter(String name, com.google.protobuf.Message config) {
    return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  public static Filter httpFilter(HttpConnectionManager hcm) {
    return Filter.newBuilder()
        .setName(HTTP_CONNECTION_MANAGER)
        .setTypedConfig(Any.pack(hcm))
        .build();
  }

  public static Filter tcpProxy(String statPrefix, String cluster) {
    return Filter.newBuilder()
        .setName(TCP_PROXY)
        .setTypedConfig(
            Any.pack(TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster).build()))
        .build();
  }

  /** A TCP proxy to one cluster, or split by weight when there are several. */
  public static Filter tcpProxy(String statPrefix, List<Routes.WeightedDestination> to) {
    if (to.size() == 1) {
      return tcpProxy(statPrefix, to.get(0).cluster());
    }
    TcpProxy.WeightedCluster.Builder split = TcpProxy.WeightedCluster.newBuilder();
    for (Routes.WeightedDestination d : to) {
      split.addClusters(
          TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
              .setName(d.cluster())
              .setWeight(d.weight()));
    }
    return Filter.newBuilder()
        .setName(TCP_PROXY)
        .setTypedConfig(
            Any.pack(
                TcpProxy.newBuilder().setStatPrefix(statPrefix).setWeightedClusters(split).build()))
        .build();
  }

  public static FilterChain chain(String name, Filter filter) {
    return FilterChain.newBuilder().setName(name).addFilters(filter).build();
  }

  public static FilterChain chain(String name, FilterChainMatch match, Filter filter) {
    return FilterChain.newBuilder()
        .setName(name)
        .setFilterChainMatch(match)
        .addFilters(filter)
        .build();
  }

  /** A gRPC API listener: no socket, just the connection manager a proxyless client uses. */
  public static Listener apiListener(String name, HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }
}
