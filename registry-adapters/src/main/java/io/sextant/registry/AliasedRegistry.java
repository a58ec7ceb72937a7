package io.sextant.registry;

import io.sextant.model.Endpoint;
import io.sextant.model.MeshService;
import io.sextant.model.Protocol;
import io.sextant.model.Service;
import io.sextant.model.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry whose services are renamed onto mesh hosts: {@code greeter.service.consul} served as
 * {@code greeter.demo.svc.cluster.local:7070}, so that the aggregate merges it with the Kubernetes
 * Service of that name. Services without an alias pass through unchanged.
 *
 * <p>An alias with a port gives the service that port: its one port is renumbered (a service with
 * several ports keeps only the one of the same number, or, if none has it, is left unaliased with a
 * warning), and every endpoint serves the new number on its own port. An alias with a protocol
 * overrides the registry's.
 */
public final class AliasedRegistry implements ServiceRegistry {
  private static final Logger log = LoggerFactory.getLogger(AliasedRegistry.class);
  private static final Pattern KUBERNETES_HOST = Pattern.compile("[^.]+\\.([^.]+)\\.svc\\..+");

  /**
   * Serve the registry's service {@code service} as {@code host}.
   *
   * @param service the service's hostname in its registry
   * @param host the mesh hostname
   * @param port the port clients use; empty to keep the registry's
   * @param protocol overrides the registry's protocol; empty to keep it
   * @param namespace the mesh namespace; empty for the one in a {@code NAME.NS.svc.DOMAIN} host, or
   *     else the registry's
   */
  public record Alias(
      String service,
      String host,
      Optional<Integer> port,
      Optional<Protocol> protocol,
      Optional<String> namespace) {
    public Alias {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(port, "port");
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(namespace, "namespace");
    }

    public static Alias of(String service, String host, int port) {
      return new Alias(service, host, Optional.of(port), Optional.empty(), Optional.empty());
    }
  }

  private final ServiceRegistry inner;
  private final Map<String, Alias> byService = new HashMap<>();

  public AliasedRegistry(ServiceRegistry inner, List<Alias> aliases) {
    this.inner = Objects.requireNonNull(inner, "inner");
    for (Alias a : aliases) {
      if (byService.putIfAbsent(a.service(), a) != null) {
        throw new IllegalArgumentException("two aliases for " + a.service());
      }
    }
  }

  /** The registry inside, for status and tests. */
  public ServiceRegistry inner() {
    return inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void start(RegistryListener listener) {
    inner.start(event -> listener.onEvent(rename(event)));
  }

  private ServiceEvent rename(ServiceEvent event) {
    Alias alias = byService.get(event.hostname());
    if (alias == null) {
      return event;
    }
    return new ServiceEvent(
        event.kind(), alias.host(), event.service().map(s -> apply(alias, s)), event.registry());
  }

  /** The service as the mesh should see it under {@code alias}. */
  static MeshService apply(Alias alias, MeshService s) {
    Service service = s.service();
    List<ServicePort> ports = service.ports();
    Map<Integer, Integer> renumber = new HashMap<>();
    if (alias.port().isPresent()) {
      int wanted = alias.port().get();
      Optional<ServicePort> chosen =
          ports.size() == 1
              ? Optional.of(ports.get(0))
              : ports.stream().filter(p -> p.number() == wanted).findFirst();
      if (chosen.isEmpty()) {
        log.warn(
            "{}: alias to {}:{} ignored: the service has ports {} and none is {}",
            service.hostname(),
            alias.host(),
            wanted,
            ports.stream().map(ServicePort::number).toList(),
            wanted);
      } else {
        ServicePort p = chosen.get();
        ports = List.of(new ServicePort(p.name(), wanted, p.protocol(), wanted));
        renumber.put(p.number(), wanted);
      }
    }
    if (alias.protocol().isPresent()) {
      Protocol protocol = alias.protocol().get();
      ports =
          ports.stream()
              .map(
                  p ->
                      new ServicePort(
                          protocol.name().toLowerCase(java.util.Locale.ROOT),
                          p.number(),
                          protocol,
                          p.targetPort()))
              .toList();
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (Endpoint e : s.endpoints()) {
      if (renumber.isEmpty()) {
        endpoints.add(e);
      } else if (renumber.containsKey(e.servicePort())) {
        endpoints.add(e.withServicePort(renumber.get(e.servicePort())));
      }
    }
    String namespace =
        alias
            .namespace()
            .orElseGet(
                () -> {
                  Matcher m = KUBERNETES_HOST.matcher(alias.host());
                  return m.matches() ? m.group(1) : service.namespace();
                });
    return new MeshService(
        new Service(
            alias.host(),
            namespace,
            ports,
            service.labels(),
            service.resolution(),
            service.addresses()),
        endpoints);
  }

  @Override
  public boolean hasSynced() {
    return inner.hasSynced();
  }

  @Override
  public List<MeshService> services() {
    return inner.services().stream()
        .map(s -> Optional.ofNullable(byService.get(s.hostname())).map(a -> apply(a, s)).orElse(s))
        .toList();
  }

  @Override
  public SourceStatus status() {
    return inner.status();
  }

  @Override
  public void close() {
    inner.close();
  }
}
