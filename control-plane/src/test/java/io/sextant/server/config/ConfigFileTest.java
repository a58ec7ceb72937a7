package io.sextant.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sextant.config.ConfigError;
import io.sextant.model.MeshSettings;
import io.sextant.registry.kubernetes.KubernetesSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading sextant.yaml: defaults, every key, and located errors for everything else. */
class ConfigFileTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  private SextantConfig load(String text) throws IOException {
    ConfigFile.Result result = ConfigFile.load(write("sextant.yaml", text));
    assertThat(result.errors()).isEmpty();
    return result.config().orElseThrow();
  }

  /** Every error, without the file name that starts each one. */
  private List<String> errors(String text) throws IOException {
    Path file = write("sextant.yaml", text);
    ConfigFile.Result result = ConfigFile.load(file);
    assertThat(result.config()).isEmpty();
    assertThat(result.errors()).isNotEmpty();
    return result.errors().stream()
        .map(ConfigError::toString)
        .peek(e -> assertThat(e).startsWith(file + ":"))
        .map(e -> e.substring(file.toString().length()))
        .toList();
  }

  @Test
  void sendBudgetThatDirectMemoryCannotHold_isRefused_sayingWhatFits() throws IOException {
    long fits = DirectMemory.maxSendBudgetBytes() / (1024 * 1024);
    assumeTrue(fits < 16384, "this JVM's direct memory holds every budget the range allows");

    assertThat(load("push: {maxInFlightMiB: " + fits + "}\n").push().maxInFlightBytes())
        .isEqualTo(fits * 1024 * 1024);
    assertThat(errors("push: {maxInFlightMiB: " + (fits + 1) + "}\n"))
        .singleElement()
        .asString()
        .startsWith(":1:24: push.maxInFlightMiB: " + (fits + 1) + " MiB is more than half of the ")
        .contains("lower it to at most " + fits + ",")
        .endsWith("raise -XX:MaxDirectMemorySize (by default it is -Xmx)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "# nothing configured yet\n", "{}\n"})
  void emptyFile_meansEveryDefault(String text) throws IOException {
    SextantConfig config = load(text);

    assertThat(config)
        .isEqualTo(
            new SextantConfig(
                new SextantConfig.Listen("0.0.0.0", 15010),
                new SextantConfig.Listen("0.0.0.0", 15014),
                new MeshSettings("cluster.local", "istio-system"),
                List.of(),
                List.of(),
                // As docs/configuration.md documents them.
                new SextantConfig.Push(
                    Duration.ofMillis(50),
                    Duration.ofMillis(500),
                    64L * 1024 * 1024,
                    Duration.ofMillis(10))));
  }

  @Test
  void everyKey_isRead() throws IOException {
    SextantConfig config =
        load(
            """
            xds: {address: 127.0.0.1, port: 16010}
            admin: {address: 10.1.2.3, port: 16014}
            mesh: {clusterDomain: corp.example, rootNamespace: mesh-root}
            registries:
              - name: services
                type: file
                paths: [services/, extra.yaml]
                rescanInterval: 30s
            rules:
              - {name: routing, type: file, paths: [rules/], rescanInterval: 2m}
            push: {debounceQuiet: 250ms, endpointDebounceQuiet: 40ms, debounceMax: 3s, maxInFlightMiB: 16}
            """);

    assertThat(config)
        .isEqualTo(
            new SextantConfig(
                new SextantConfig.Listen("127.0.0.1", 16010),
                new SextantConfig.Listen("10.1.2.3", 16014),
                new MeshSettings("corp.example", "mesh-root"),
                List.of(
                    new SextantConfig.Source(
                        "services",
                        "file",
                        List.of(dir.resolve("services"), dir.resolve("extra.yaml")),
                        Duration.ofSeconds(30))),
                List.of(
                    new SextantConfig.Source(
                        "routing", "file", List.of(dir.resolve("rules")), Duration.ofMinutes(2))),
                new SextantConfig.Push(
                    Duration.ofMillis(250),
                    Duration.ofSeconds(3),
                    16L * 1024 * 1024,
                    Duration.ofMillis(40))));
  }

  @Test
  void endpointQuietPeriod_byDefault_isTenMillis_butNeverLongerThanTheQuietPeriod()
      throws IOException {
    assertThat(load("push: {debounceQuiet: 250ms}\n").push().endpointQuietPeriod())
        .isEqualTo(Duration.ofMillis(10));
    // debounceQuiet: 0ms still pushes every change at once, as docs/configuration.md says.
    assertThat(load("push: {debounceQuiet: 0ms}\n").push().endpointQuietPeriod())
        .isEqualTo(Duration.ZERO);
    assertThat(load("push: {debounceQuiet: 4ms}\n").push().endpointQuietPeriod())
        .isEqualTo(Duration.ofMillis(4));
  }

  @Test
  void xdsTransport_isBuiltinUnlessGrpcJavaIsAskedFor() throws IOException {
    assertThat(load("xds: {port: 15010}\n").xds().transport())
        .isEqualTo(SextantConfig.XdsTransport.BUILTIN);
    assertThat(load("xds: {transport: builtin}\n").xds().transport())
        .isEqualTo(SextantConfig.XdsTransport.BUILTIN);
    assertThat(load("xds: {transport: grpc-java}\n").xds())
        .isEqualTo(
            new SextantConfig.Listen("0.0.0.0", 15010, SextantConfig.XdsTransport.GRPC_JAVA));
  }

  @Test
  void meshWithoutRootNamespace_usesIstios() throws IOException {
    assertThat(load("mesh: {clusterDomain: corp.local}\n").mesh())
        .isEqualTo(new MeshSettings("corp.local", "istio-system"));
  }

  @Test
  void sourcesWithoutNameOrRescanInterval_getDefaultsAndUniqueNames() throws IOException {
    SextantConfig config =
        load(
            """
            registries: [{type: file, paths: [a]}]
            rules: [{type: file, paths: [b]}]
            """);

    assertThat(config.registries())
        .extracting(SextantConfig.Source::name)
        .containsExactly("file-1");
    assertThat(config.rules()).extracting(SextantConfig.Source::name).containsExactly("file-2");
    assertThat(config.registries().get(0).rescanInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @CsvSource({"100ms, PT0.1S", "5s, PT5S", "2m, PT2M", "0ms, PT0S", "1500ms, PT1.5S"})
  void durations_areWrittenWithAUnit(String written, Duration meant) throws IOException {
    SextantConfig config = load("push: {debounceQuiet: %s, debounceMax: 10m}\n".formatted(written));

    assertThat(config.push().quietPeriod()).isEqualTo(meant);
  }

  @Test
  void relativePaths_areResolvedAgainstTheConfigFilesDirectory() throws IOException {
    Path file =
        write(
            "etc/sextant/sextant.yaml",
            """
            registries:
              - {name: a, type: file, paths: [services, ./more/, ../shared/services.yaml, /srv/mesh]}
            """);

    SextantConfig config = ConfigFile.load(file).config().orElseThrow();

    assertThat(config.registries().get(0).paths())
        .containsExactly(
            dir.resolve("etc/sextant/services"),
            dir.resolve("etc/sextant/more"),
            dir.resolve("etc/shared/services.yaml"),
            Path.of("/srv/mesh"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "xsd: {port: 1}"
            + " | :1:1: xsd: unknown field 'xsd' (did you mean 'xds'?); expected one of: xds,"
            + " admin, mesh, registries, rules, push",
        "xds: {port: 70000}" + " | :1:13: xds.port: expected an integer from 0 to 65535, got 70000",
        "xds: {port: fast}" + " | :1:13: xds.port: expected an integer, got 'fast'",
        "xds: {adress: 127.0.0.1}"
            + " | :1:7: xds.adress: unknown field 'adress' (did you mean 'address'?); expected one"
            + " of: address, port, transport",
        "push: {debounceQuiet: soon}"
            + " | :1:23: push.debounceQuiet: expected a duration such as 100ms, 5s or 2m, got"
            + " 'soon'",
        "push: {debounceQuiet: 5 s}"
            + " | :1:23: push.debounceQuiet: expected a duration such as 100ms, 5s or 2m, got '5"
            + " s'",
        "push: {debounceQuiet: 500ms, debounceMax: 100ms}"
            + " | :1:43: push.debounceMax: must be at least debounceQuiet (500ms)",
        "push: {endpointDebounceQuiet: 2s}"
            + " | :1:31: push.endpointDebounceQuiet: must be at most debounceMax (500ms)",
        "push: {maxInFlightMiB: 0}"
            + " | :1:24: push.maxInFlightMiB: expected an integer from 1 to 16384, got 0",
        "registries: [{type: eureka, paths: [a]}]"
            + " | :1:21: registries[0].type: unknown type 'eureka'; expected file, kubernetes,"
            + " consul, zookeeper, xds",
        "registries: [{type: file}]"
            + " | :1:14: registries[0].paths: at least one file or directory is required",
        "registries: [{paths: [a]}]"
            + " | :1:14: registries[0].type: missing required field 'type'",
        "rules: {type: file, paths: [a]}" + " | :1:8: rules: expected a list, got a mapping",
        "just a string" + " | :1:1: expected a mapping (key: value), got 'just a string'",
        "mesh: {rootNamespace: Istio.System}"
            + " | :1:23: mesh.rootNamespace: expected a namespace name, a DNS-1123 label"
            + " (lowercase letters, digits and '-'), got 'Istio.System'",
        "mesh: {rootNamespace: istio.system}"
            + " | :1:23: mesh.rootNamespace: expected a namespace name, a DNS-1123 label"
            + " (lowercase letters, digits and '-'), got 'istio.system'",
        "xds: {transport: netty}"
            + " | :1:18: xds.transport: expected one of builtin, grpc-java, got 'netty'",
        "admin: {transport: grpc-java}"
            + " | :1:9: admin.transport: unknown field 'transport'; expected one of: address,"
            + " port",
        "mesh: {rootNamespce: mesh-root}"
            + " | :1:8: mesh.rootNamespce: unknown field 'rootNamespce' (did you mean"
            + " 'rootNamespace'?); expected one of: clusterDomain, rootNamespace",
      })
  void badValue_isReportedAtItsLocation(String text, String error) throws IOException {
    assertThat(errors(text + "\n")).containsExactly(error);
  }

  @Test
  void sourceNameUsedTwice_isReportedAtTheSecondUse() throws IOException {
    List<String> errors =
        errors(
            """
            registries:
              - {name: mesh, type: file, paths: [services]}
            rules:
              - {name: mesh, type: file, paths: [rules]}
            """);

    assertThat(errors)
        .containsExactly(
            ":4:12: rules[0].name: name 'mesh' is used twice; registry and rule source names must"
                + " be unique");
  }

  @Test
  void everyProblem_isReportedInOnePass() throws IOException {
    List<String> errors =
        errors(
            """
            xds: {port: -1}
            registries: [{type: eureka, paths: [a]}]
            push: {debounceQuiet: later}
            colour: blue
            """);

    assertThat(errors)
        .hasSize(4)
        .anyMatch(e -> e.startsWith(":1:"))
        .anyMatch(e -> e.startsWith(":2:"))
        .anyMatch(e -> e.startsWith(":3:"))
        .anyMatch(e -> e.startsWith(":4:"));
  }

  @Test
  void twoYamlDocuments_areRejected() throws IOException {
    assertThat(errors("xds: {port: 1}\n---\nadmin: {port: 2}\n"))
        .singleElement()
        .asString()
        .contains("expected one YAML document, found 2");
  }

  @Test
  void missingFile_isReportedAsUnreadable() {
    Path missing = dir.resolve("nowhere/sextant.yaml");

    ConfigFile.Result result = ConfigFile.load(missing);

    assertThat(result.config()).isEmpty();
    assertThat(result.errors())
        .singleElement()
        .asString()
        .startsWith(missing + ":1:1: cannot read file");
  }

  @Test
  void zeroRescanInterval_isReportedAtItsLocation() throws IOException {
    assertThat(errors("registries: [{type: file, paths: [a], rescanInterval: 0s}]\n"))
        .singleElement()
        .asString()
        .startsWith(":1:55: registries[0].rescanInterval: ");
  }

  @Test
  void durationTooLargeToRepresent_isReportedAtItsLocation() throws IOException {
    assertThat(errors("push: {debounceQuiet: 99999999999999999999ms}\n"))
        .singleElement()
        .asString()
        .startsWith(":1:23: push.debounceQuiet: ");
  }

  @Test
  void kubernetesSources_readTheirKeys_andTheKubernetesExampleLoads() throws IOException {
    SextantConfig config =
        load(
            """
            mesh: {clusterDomain: corp.local}
            registries:
              - name: prod
                type: kubernetes
                kubeconfig: kube/config
                context: prod-eu
                namespaces: [shop, payments]
                resyncInterval: 0s
                staleAfter: 2s
            """);
    KubernetesSettings k8s = config.registries().get(0).kubernetes().orElseThrow();
    assertThat(k8s.kubeconfig()).contains(dir.resolve("kube/config").toAbsolutePath().normalize());
    assertThat(k8s.context()).contains("prod-eu");
    assertThat(k8s.namespaces()).containsExactly("shop", "payments");
    assertThat(k8s.clusterDomain()).isEqualTo("corp.local");
    assertThat(k8s.resyncInterval()).isZero();
    assertThat(k8s.staleAfter()).hasSeconds(2);

    ConfigFile.Result example =
        ConfigFile.load(Path.of("..", "examples", "kubernetes", "sextant.yaml"));
    assertThat(example.errors()).isEmpty();
    assertThat(
            example
                .config()
                .orElseThrow()
                .rules()
                .get(0)
                .kubernetes()
                .orElseThrow()
                .namespaceSelector())
        .containsEntry("mesh", "enabled");
  }

  @Test
  void consulZooKeeperAndXdsRegistries_withPrioritiesAndAliases() throws IOException {
    SextantConfig config =
        load(
            """
            registries:
              - name: dc
                type: consul
                address: https://consul.example:8501
                token: secret
                tls: {caFile: ca.pem}
                datacenters: [eu1, us1]
                includeWarning: true
                hostname: "{name}.{dc}.consul.internal"
                protocol: grpc
                localityKeys: {zone: az}
                wait: 30s
                priority: 1
                aliases:
                  - {service: greeter.eu1.consul.internal, host: greeter.demo.svc.cluster.local, port: 7070}
              - name: zk
                type: zookeeper
                connect: 127.0.0.1:2181
                layout: dubbo
              - {name: proxies, type: xds, gracePeriod: 10s}
            """);
    SextantConfig.Source consul = config.registries().get(0);
    assertThat(consul.priority()).isEqualTo(1);
    assertThat(consul.aliases())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.host()).isEqualTo("greeter.demo.svc.cluster.local");
              assertThat(a.port()).contains(7070);
            });
    var c = consul.consul().orElseThrow();
    assertThat(c.address()).isEqualTo("https://consul.example:8501");
    assertThat(c.token()).contains("secret");
    assertThat(c.tls().orElseThrow().caFile())
        .contains(dir.resolve("ca.pem").toAbsolutePath().normalize());
    assertThat(c.datacenters()).containsExactly("eu1", "us1");
    assertThat(c.includeWarning()).isTrue();
    assertThat(c.hostname()).contains("{name}.{dc}.consul.internal");
    assertThat(c.defaultProtocol()).isEqualTo(io.sextant.model.Protocol.GRPC);
    assertThat(c.localityKeys().zone()).isEqualTo("az");
    assertThat(c.localityKeys().region()).isEqualTo("region");
    assertThat(c.blockingWait()).hasSeconds(30);

    var zk = config.registries().get(1).zookeeper().orElseThrow();
    assertThat(zk.connectString()).isEqualTo("127.0.0.1:2181");
    assertThat(zk.root()).isEqualTo("/dubbo");
    assertThat(config.registries().get(2).xdsGracePeriod()).contains(Duration.ofSeconds(10));
  }

  @Test
  void badRegistryKeys_areLocatedErrors() throws IOException {
    assertThat(
            errors(
                """
                registries:
                  - {type: consul, wait: 10ms, priority: -1}
                  - {type: zookeeper, layout: tree}
                  - type: file
                    paths: [a]
                    aliases:
                      - {service: a, host: x.local}
                      - {service: b, host: x.local}
                rules:
                  - {type: consul}
                """))
        .anySatisfy(
            e -> assertThat(e).startsWith(":2:").contains("wait").contains("from 1s to 10m"))
        .anySatisfy(e -> assertThat(e).startsWith(":2:").contains("priority"))
        .anySatisfy(e -> assertThat(e).startsWith(":3:").contains("connect"))
        .anySatisfy(e -> assertThat(e).startsWith(":3:").contains("layout"))
        .anySatisfy(e -> assertThat(e).startsWith(":8:").contains("cannot share host 'x.local'"))
        .anySatisfy(e -> assertThat(e).startsWith(":10:").contains("unknown type 'consul'"));
  }
}
