package io.sextant.translator.envoy;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;

/** Every xDS resource name Sextant produces, in Istio's conventions. */
public final class Names {
  public static final String VIRTUAL_OUTBOUND = "virtualOutbound";
  public static final String VIRTUAL_INBOUND = "virtualInbound";
  public static final int VIRTUAL_OUTBOUND_PORT = 15001;
  public static final int VIRTUAL_INBOUND_PORT = 15006;
  public static final String PASSTHROUGH_CLUSTER = "PassthroughCluster";
  public static final String ALLOW_ANY_VIRTUAL_HOST = "allow_any";
  public static final String BLACK_HOLE_CLUSTER = "BlackHoleCluster";
  public static final String BLOCK_ALL_VIRTUAL_HOST = "block_all";
  public static final String WILDCARD_ADDRESS = "0.0.0.0";
  public static final String LOCALHOST = "127.0.0.1";

  private Names() {}

  /** The name a resource of any of the four xDS types goes by. */
  public static String of(Message resource) {
    if (resource instanceof Listener l) {
      return l.getName();
    }
    if (resource instanceof Cluster c) {
      return c.getName();
    }
    if (resource instanceof ClusterLoadAssignment cla) {
      return cla.getClusterName();
    }
    if (resource instanceof RouteConfiguration rc) {
      return rc.getName();
    }
    throw new IllegalArgumentException(
        "not an xDS resource: " + resource.getDescriptorForType().getFullName());
  }

  /** {@code outbound|PORT|SUBSET|HOST}; the subset is empty for the whole service. */
  public static String outboundCluster(int port, String subset, String host) {
    return "outbound|" + port + "|" + subset + "|" + host;
  }

  public static String outboundCluster(int port, String host) {
    return outboundCluster(port, "", host);
  }

  /** {@code inbound|PORT||}: the local workload's port. */
  public static String inboundCluster(int port) {
    return "inbound|" + port + "||";
  }

  /** The virtual host that forwards a workload port's HTTP traffic to the app. */
  public static String inboundVirtualHost(int port) {
    return "inbound|http|" + port;
  }

  /** Outbound HTTP route configurations are named by port: {@code "9080"}. */
  public static String routeConfig(int port) {
    return Integer.toString(port);
  }

  /** {@code HOST:PORT}, the name of a virtual host and of a gRPC API listener. */
  public static String hostPort(String host, int port) {
    return host + ":" + port;
  }

  /** {@code ADDRESS_PORT}, e.g. {@code 0.0.0.0_9080}. */
  public static String listener(String address, int port) {
    return address + "_" + port;
  }

  public static String outboundStatPrefix(String address, int port) {
    return "outbound_" + listener(address, port);
  }

  public static String inboundStatPrefix(String address, int port) {
    return "inbound_" + listener(address, port);
  }
}
