package io.sextant.translator;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.sextant.model.MeshService;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.Listeners;
import io.sextant.translator.envoy.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Listeners for Envoy sidecars.
 *
 * <p>REDIRECT (iptables): {@code virtualOutbound} on 15001 hands each connection to the listener
 * for its original destination port, {@code 0.0.0.0_PORT} (not bound); connections to unknown ports
 * pass through. {@code virtualInbound} on 15006 sends each workload port to the app.
 *
 * <p>NONE (no iptables): every service port is bound on 127.0.0.1 ({@code 127.0.0.1_PORT}), so the
 * app calls {@code http://127.0.0.1:PORT} with the service's Host header; every workload port is
 * bound on each instance IP ({@code IP_PORT}) and forwarded to the app on 127.0.0.1.
 */
final class SidecarListeners {
  private SidecarListeners() {}

  /** Whether unknown destinations pass through (Istio's ALLOW_ANY), which needs iptables. */
  static boolean passesThrough(ProxyContext proxy) {
    return proxy.kind() == ProxyKind.SIDECAR && proxy.interception() == InterceptionMode.REDIRECT;
  }

  /**
   * The outbound listeners, the same for every sidecar with the same interception mode (and
   * namespace, when some VirtualService is not exported to all, and Sidecar). With NONE, {@code
   * taken} lists ports the workload's own inbound listeners bind on 127.0.0.1; they are left out
   * here. With {@code registryOnly}, connections to unknown destinations go to the black hole
   * instead of passing through.
   */
  static List<Listener> outbound(
      MeshIndex index,
      InterceptionMode mode,
      Set<Integer> taken,
      String namespace,
      boolean registryOnly,
      Diagnostics diagnostics) {
    List<Listener> listeners = new ArrayList<>();
    if (mode == InterceptionMode.REDIRECT) {
      listeners.add(virtualOutbound(registryOnly));
    }
    for (int port : index.ports()) {
      if (mode == InterceptionMode.REDIRECT
          && (port == Names.VIRTUAL_OUTBOUND_PORT || port == Names.VIRTUAL_INBOUND_PORT)) {
        diagnostics.add(
            "listener " + Names.listener(Names.WILDCARD_ADDRESS, port),
            "port " + port + " is reserved for the sidecar itself; services on it are unreachable");
        continue;
      }
      if (taken.contains(port)) {
        diagnostics.add(
            "listener " + Names.listener(Names.LOCALHOST, port),
            "outbound port "
                + port
                + " is also this workload's inbound port on 127.0.0.1; inbound wins");
        continue;
      }
      boolean redirect = mode == InterceptionMode.REDIRECT;
      outbound(
              index,
              port,
              redirect ? Names.WILDCARD_ADDRESS : Names.LOCALHOST,
              !redirect,
              redirect,
              namespace,
              registryOnly,
              diagnostics)
          .ifPresent(listeners::add);
    }
    return listeners;
  }

  /** The inbound listeners of one workload: {@code virtualInbound}, or one per instance IP. */
  static List<Listener> inbound(MeshIndex index, ProxyContext proxy, Diagnostics diagnostics) {
    List<ServicePort> ports = Workloads.inboundPorts(index, proxy);
    if (ports.isEmpty()) {
      return List.of();
    }
    if (proxy.interception() == InterceptionMode.REDIRECT) {
      return List.of(virtualInbound(ports));
    }
    if (proxy.instanceIps().isEmpty()) {
      diagnostics.add(
          "sidecars of " + proxy.serviceName() + " in " + proxy.namespace(),
          "INTERCEPTION_MODE NONE without INSTANCE_IPS metadata: no inbound listeners");
    }
    List<Listener> listeners = new ArrayList<>();
    for (String ip : proxy.instanceIps()) {
      for (ServicePort port : ports) {
        listeners.add(
            Listeners.listener(
                    Names.listener(ip, port.targetPort()),
                    ip,
                    port.targetPort(),
                    true,
                    TrafficDirection.INBOUND)
                .addFilterChains(WorkloadInbound.chain(port, ip, false))
                .build());
      }
    }
    return listeners;
  }

  /** Inbound ports a NONE-mode workload binds on 127.0.0.1, which outbound must then avoid. */
  static Set<Integer> localhostInboundPorts(MeshIndex index, ProxyContext proxy) {
    Set<Integer> taken = new TreeSet<>();
    if (proxy.interception() == InterceptionMode.NONE
        && proxy.instanceIps().contains(Names.LOCALHOST)) {
      Workloads.inboundPorts(index, proxy).forEach(p -> taken.add(p.targetPort()));
    }
    return taken;
  }

  private static Listener virtualOutbound(boolean registryOnly) {
    return Listeners.originalDestinationListener(
            Names.VIRTUAL_OUTBOUND, Names.VIRTUAL_OUTBOUND_PORT, TrafficDirection.OUTBOUND)
        .addFilterChains(unknownDestinationChain(registryOnly))
        .build();
  }

  /** Where a connection to a destination the mesh does not know goes. */
  private static FilterChain unknownDestinationChain(boolean registryOnly) {
    String cluster = registryOnly ? Names.BLACK_HOLE_CLUSTER : Names.PASSTHROUGH_CLUSTER;
    return Listeners.chain(cluster, Listeners.tcpProxy(cluster, cluster));
  }

  private static Listener virtualInbound(List<ServicePort> ports) {
    Listener.Builder l =
        Listeners.listener(
                Names.VIRTUAL_INBOUND,
                Names.WILDCARD_ADDRESS,
                Names.VIRTUAL_INBOUND_PORT,
                true,
                TrafficDirection.INBOUND)
            .addListenerFilters(Listeners.originalDstFilter());
    for (ServicePort port : ports) {
      l.addFilterChains(WorkloadInbound.chain(port, Names.WILDCARD_ADDRESS, true));
    }
    return l.build();
  }

  /**
   * The outbound listener for one port. HTTP services share one chain that routes by Host header
   * (route configuration named by the port). TCP services cannot be told apart by Host: with {@code
   * matchAddresses}, those with virtual IPs get a chain matching their IPs; the default chain goes
   * to HTTP routing if any HTTP service uses the port, else to the single remaining TCP service,
   * else (REDIRECT only) passes through.
   */
  private static Optional<Listener> outbound(
      MeshIndex index,
      int port,
      String address,
      boolean bind,
      boolean matchAddresses,
      String namespace,
      boolean registryOnly,
      Diagnostics diagnostics) {
    String name = Names.listener(address, port);
    List<Map.Entry<MeshService, ServicePort>> services = index.servicesOnPort(port);
    List<FilterChain> chains = new ArrayList<>();
    List<String> defaultTcp = new ArrayList<>();
    boolean http = false;
    for (Map.Entry<MeshService, ServicePort> e : services) {
      MeshService s = e.getKey();
      if (e.getValue().protocol().isHttp()) {
        http = true;
      } else if (matchAddresses && !s.service().addresses().isEmpty()) {
        chains.add(tcpChain(index, s, port, true, namespace, diagnostics));
      } else {
        defaultTcp.add(s.hostname());
      }
    }
    FilterChain fallback = null;
    if (http) {
      fallback =
          Listeners.chain(
              "http",
              Listeners.httpFilter(
                  Listeners.rdsConnectionManager(
                      Names.outboundStatPrefix(address, port),
                      Names.routeConfig(port),
                      HttpFilters.connectionManagerFilters(ProxyKind.SIDECAR))));
    } else if (!defaultTcp.isEmpty()) {
      String host = defaultTcp.get(0);
      fallback =
          tcpChain(index, index.service(host).orElseThrow(), port, false, namespace, diagnostics);
      defaultTcp = defaultTcp.subList(1, defaultTcp.size());
    } else if (matchAddresses) {
      fallback = unknownDestinationChain(registryOnly);
    }
    for (String shadowed : defaultTcp) {
      diagnostics.add(
          "listener " + name,
          "TCP service "
              + shadowed
              + " shares port "
              + port
              + " with "
              + (http ? "HTTP services" : "another TCP service")
              + " and has no address to tell it apart; it is unreachable on this port");
    }
    if (fallback != null) {
      chains.add(fallback);
    }
    if (chains.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        Listeners.listener(name, address, port, bind, TrafficDirection.OUTBOUND)
            .addAllFilterChains(chains)
            .build());
  }

  private static FilterChain tcpChain(
      MeshIndex index,
      MeshService s,
      int port,
      boolean matchAddresses,
      String namespace,
      Diagnostics diagnostics) {
    String cluster = Names.outboundCluster(port, s.hostname());
    Filter proxy =
        TrafficPolicies.idleTimeout(
            TcpRoutes.proxy(index, s, port, namespace, diagnostics), index, s, port);
    if (!matchAddresses) {
      return Listeners.chain(cluster, proxy);
    }
    FilterChainMatch.Builder match = FilterChainMatch.newBuilder();
    for (String address : s.service().addresses()) {
      match.addPrefixRanges(cidr(address));
    }
    return Listeners.chain(cluster, match.build(), proxy);
  }

  private static CidrRange cidr(String address) {
    int slash = address.indexOf('/');
    String ip = slash < 0 ? address : address.substring(0, slash);
    int length =
        slash < 0 ? (ip.contains(":") ? 128 : 32) : Integer.parseInt(address.substring(slash + 1));
    return CidrRange.newBuilder().setAddressPrefix(ip).setPrefixLen(UInt32Value.of(length)).build();
  }
}
