package io.sextant.server.config;

import io.sextant.config.yaml.YamlObject;
import io.sextant.model.Hostnames;
import io.sextant.model.Protocol;
import io.sextant.registry.AliasedRegistry;
import io.sextant.registry.consul.ConsulSettings;
import io.sextant.registry.kubernetes.KubernetesSettings;
import io.sextant.registry.zookeeper.ZooKeeperSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One entry of {@code registries} or {@code rules} in {@code sextant.yaml}. */
final class SourceConfig {
  static final Duration DEFAULT_XDS_GRACE = Duration.ofSeconds(30);
  private static final List<String> REGISTRY_TYPES =
      List.of("file", "kubernetes", "consul", "zookeeper", "xds");
  private static final List<String> RULE_TYPES = List.of("file", "kubernetes");

  private SourceConfig() {}

  static SextantConfig.Source read(
      YamlObject s, Path base, Set<String> names, String clusterDomain, boolean registry) {
    List<String> types = registry ? REGISTRY_TYPES : RULE_TYPES;
    String type = s.requiredString("type");
    if (!type.isEmpty() && !types.contains(type)) {
      s.error(
          "type",
          "unknown type '"
              + type
              + "'; expected "
              + String.join(", ", types)
              + (registry ? "" : " (rules come from files or Kubernetes custom resources)"));
    }
    String name = s.string("name", type + "-" + (names.size() + 1));
    if (!names.add(name)) {
      s.error(
          "name",
          "name '" + name + "' is used twice; registry and rule source names must be unique");
    }
    int priority = 0;
    List<AliasedRegistry.Alias> aliases = List.of();
    if (registry) {
      priority = s.integer("priority", 0, 100).orElse(0);
      aliases = aliases(s);
    }
    SextantConfig.Source source =
        switch (type) {
          case "kubernetes" ->
              SextantConfig.Source.kubernetes(name, kubernetes(s, base, clusterDomain));
          case "consul" ->
              new SextantConfig.Source(name, type, List.of(), Duration.ZERO)
                  .with(
                      Optional.empty(),
                      Optional.of(consul(s, base)),
                      Optional.empty(),
                      Optional.empty());
          case "zookeeper" ->
              new SextantConfig.Source(name, type, List.of(), Duration.ZERO)
                  .with(
                      Optional.empty(),
                      Optional.empty(),
                      Optional.of(zookeeper(s)),
                      Optional.empty());
          case "xds" ->
              new SextantConfig.Source(name, type, List.of(), Duration.ZERO)
                  .with(
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty(),
                      Optional.of(
                          ConfigFile.positiveDuration(s, "gracePeriod", DEFAULT_XDS_GRACE)));
          default -> files(s, base, name, type);
        };
    s.finish();
    return source.withAggregation(priority, aliases);
  }

  private static SextantConfig.Source files(YamlObject s, Path base, String name, String type) {
    List<String> paths = s.stringList("paths");
    if (paths.isEmpty()) {
      s.error("paths", "at least one file or directory is required");
    }
    Duration rescan = ConfigFile.positiveDuration(s, "rescanInterval", ConfigFile.DEFAULT_RESCAN);
    return new SextantConfig.Source(
        name, type, paths.stream().map(p -> base.resolve(p).normalize()).toList(), rescan);
  }

  /** {@code aliases: [{service, host, port, protocol, namespace}]}; hosts unique. */
  private static List<AliasedRegistry.Alias> aliases(YamlObject s) {
    Set<String> services = new HashSet<>();
    Set<String> hosts = new HashSet<>();
    return s.list(
        "aliases",
        a -> {
          String service = a.requiredString("service");
          String host = a.requiredString("host");
          Optional<Integer> port = a.integer("port", 1, 65535);
          Optional<Protocol> protocol = protocol(a, "protocol");
          Optional<String> namespace = a.string("namespace");
          if (!host.isEmpty() && !Hostnames.isValid(host)) {
            a.error("host", "expected a DNS name such as reviews.default.svc.cluster.local");
          }
          if (!service.isEmpty() && !services.add(service)) {
            a.error("service", "service '" + service + "' has two aliases");
          }
          if (!host.isEmpty() && !hosts.add(host)) {
            a.error(
                "host",
                "two services of one registry cannot share host '"
                    + host
                    + "'; serve them from two registries to merge them");
          }
          a.finish();
          return new AliasedRegistry.Alias(service, host, port, protocol, namespace);
        });
  }

  private static Optional<Protocol> protocol(YamlObject o, String key) {
    Optional<String> text = o.string(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<Protocol> p = Protocol.parse(text.get());
    if (p.isEmpty()) {
      o.error(key, "expected HTTP, HTTP2, GRPC or TCP, got '" + text.get() + "'");
    }
    return p;
  }

  /** The keys of a {@code type: kubernetes} registry or rule source. */
  static KubernetesSettings kubernetes(YamlObject s, Path base, String clusterDomain) {
    Optional<Path> kubeconfig = s.string("kubeconfig").map(p -> base.resolve(p).normalize());
    Optional<String> context = s.string("context");
    List<String> namespaces = s.stringList("namespaces");
    Map<String, String> selector =
        s.object("namespaceSelector")
            .map(
                o -> {
                  Map<String, String> labels = o.stringMap("matchLabels");
                  if (labels.isEmpty()) {
                    o.error("matchLabels", "at least one label is required");
                  }
                  o.finish();
                  return labels;
                })
            .orElse(Map.of());
    if (!namespaces.isEmpty() && !selector.isEmpty()) {
      s.error(
          "namespaceSelector",
          "give either namespaces (a list) or namespaceSelector (labels), not both");
    }
    Duration resync = ConfigFile.duration(s, "resyncInterval", KubernetesSettings.DEFAULT_RESYNC);
    Duration staleAfter =
        ConfigFile.positiveDuration(s, "staleAfter", KubernetesSettings.DEFAULT_STALE_AFTER);
    if (!resync.isZero() && resync.compareTo(Duration.ofSeconds(1)) < 0) {
      s.error("resyncInterval", "must be 0 (never) or at least 1s");
    }
    return new KubernetesSettings(
        kubeconfig, context, namespaces, selector, clusterDomain, resync, staleAfter);
  }

  /** The keys of a {@code type: consul} registry. */
  private static ConsulSettings consul(YamlObject s, Path base) {
    // Without a scheme, http:// is assumed; without a port, Consul's (the registry fills both).
    String address = s.string("address", "http://127.0.0.1:8500");
    Optional<String> token = s.string("token");
    Optional<ConsulSettings.Tls> tls =
        s.object("tls")
            .map(
                t -> {
                  var tlsSettings =
                      new ConsulSettings.Tls(
                          t.string("caFile").map(p -> base.resolve(p).normalize()),
                          t.string("certFile").map(p -> base.resolve(p).normalize()),
                          t.string("keyFile").map(p -> base.resolve(p).normalize()));
                  if (tlsSettings.certFile().isPresent() != tlsSettings.keyFile().isPresent()) {
                    t.error("certFile", "certFile and keyFile go together");
                  }
                  t.finish();
                  return tlsSettings;
                });
    List<String> datacenters = s.stringList("datacenters");
    boolean includeWarning = s.bool("includeWarning").orElse(false);
    Optional<String> hostname = s.string("hostname");
    hostname.ifPresent(
        h -> {
          if (!h.contains("{name}")) {
            s.error("hostname", "the template must contain {name}, got '" + h + "'");
          }
        });
    String namespace = s.string("namespace", "default");
    Protocol protocol = protocol(s, "protocol").orElse(Protocol.TCP);
    ConsulSettings.LocalityKeys keys =
        s.object("localityKeys")
            .map(
                k -> {
                  var d = ConsulSettings.LocalityKeys.DEFAULT;
                  var read =
                      new ConsulSettings.LocalityKeys(
                          k.string("region", d.region()),
                          k.string("zone", d.zone()),
                          k.string("subzone", d.subzone()));
                  k.finish();
                  return read;
                })
            .orElse(ConsulSettings.LocalityKeys.DEFAULT);
    Duration wait = ConfigFile.positiveDuration(s, "wait", ConsulSettings.DEFAULT_WAIT);
    if (wait.compareTo(Duration.ofMinutes(10)) > 0 || wait.compareTo(Duration.ofSeconds(1)) < 0) {
      s.error("wait", "Consul holds a blocking query from 1s to 10m");
    }
    Duration staleAfter =
        ConfigFile.positiveDuration(s, "staleAfter", ConsulSettings.DEFAULT_STALE_AFTER);
    return new ConsulSettings(
        address,
        token,
        tls,
        datacenters,
        includeWarning,
        hostname,
        namespace,
        protocol,
        keys,
        wait,
        staleAfter);
  }

  /** The keys of a {@code type: zookeeper} registry. */
  private static ZooKeeperSettings zookeeper(YamlObject s) {
    String connect = s.requiredString("connect");
    String layoutName = s.requiredString("layout");
    ZooKeeperSettings.Layout layout = ZooKeeperSettings.Layout.CURATOR;
    if (layoutName.equals("dubbo")) {
      layout = ZooKeeperSettings.Layout.DUBBO;
    } else if (!layoutName.isEmpty() && !layoutName.equals("curator")) {
      s.error("layout", "expected curator or dubbo, got '" + layoutName + "'");
    }
    Optional<String> basePath = s.string("basePath");
    basePath.ifPresent(
        p -> {
          if (!p.startsWith("/")) {
            s.error("basePath", "expected an absolute ZooKeeper path such as /services");
          }
        });
    Optional<String> hostname = s.string("hostname");
    hostname.ifPresent(
        h -> {
          if (!h.contains("{name}")) {
            s.error("hostname", "the template must contain {name}, got '" + h + "'");
          }
        });
    String namespace = s.string("namespace", "default");
    Protocol protocol = protocol(s, "protocol").orElse(Protocol.TCP);
    Duration session =
        ConfigFile.positiveDuration(s, "sessionTimeout", ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT);
    Duration staleAfter =
        ConfigFile.positiveDuration(s, "staleAfter", ZooKeeperSettings.DEFAULT_STALE_AFTER);
    return new ZooKeeperSettings(
        connect, layout, basePath, hostname, namespace, protocol, session, staleAfter);
  }
}
