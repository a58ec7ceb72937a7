package io.sextant.translator;

import com.google.protobuf.Message;
import io.sextant.config.networking.HttpRoute;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One feature that runs as an Envoy HTTP filter (CORS, fault injection, local rate limiting): it
 * names its filter, gives the connection manager a configuration that does nothing by itself, and
 * turns the filter on where rules ask for it, per route or per virtual host, through {@code
 * typed_per_filter_config}. {@link HttpFilters} lists the features in filter-chain order.
 *
 * <p>A feature that a proxy kind cannot run (grpc-java implements few HTTP filters, and NACKs a
 * listener naming one it does not know) is left out of that kind's connection managers and routes
 * entirely, and each rule that asked for it is reported.
 */
interface HttpFilterContributor {
  /** The filter this feature runs. */
  Filter filter();

  /**
   * A filter in the connection manager.
   *
   * @param name the filter's name, in the connection manager and as the per-route configuration key
   * @param disabledConfig its configuration in the connection manager; it must leave requests alone
   *     until a route or virtual host enables the filter, so that the listener does not change (and
   *     drain connections) when rules come and go
   * @param notForGrpc why proxyless gRPC clients cannot run the filter; empty if they can
   */
  record Filter(String name, Message disabledConfig, Optional<String> notForGrpc) {
    public Filter {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(disabledConfig, "disabledConfig");
      Objects.requireNonNull(notForGrpc, "notForGrpc");
    }

    /** Whether proxies of {@code kind} run this filter. */
    public boolean runsIn(ProxyKind kind) {
      return kind != ProxyKind.GRPC || notForGrpc.isEmpty();
    }
  }

  /** The per-route configuration {@code http} asks for, if any. */
  default Optional<Message> routeConfig(HttpRoute http) {
    return Optional.empty();
  }

  /** A short name of what {@code http} asks of this feature, such as {@code corsPolicy}. */
  default String routeField() {
    return filter().name();
  }

  /**
   * The per-virtual-host configuration for service {@code host} on {@code port}, if any rule asks
   * for one. Called for every proxy kind; for kinds that do not run the filter, the result is only
   * reported.
   */
  default Optional<VirtualHostConfig> virtualHostConfig(
      MeshIndex index, String host, int port, Diagnostics diagnostics) {
    return Optional.empty();
  }

  /**
   * A virtual host's configuration and the rules it came from, named for diagnostics.
   *
   * @param rules qualified names and locations of the rules, as {@link Diagnostics#subject}
   */
  record VirtualHostConfig(Message config, List<String> rules) {
    public VirtualHostConfig {
      Objects.requireNonNull(config, "config");
      rules = List.copyOf(rules);
    }
  }
}
