package io.sextant.server.config;

import io.sextant.config.ConfigError;
import io.sextant.config.SourceLocation;
import io.sextant.config.yaml.Problems;
import io.sextant.config.yaml.YamlDocuments;
import io.sextant.config.yaml.YamlObject;
import io.sextant.model.Hostnames;
import io.sextant.model.MeshSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** Reads {@code sextant.yaml}, reporting every problem with file:line:column. */
public final class ConfigFile {
  static final Duration DEFAULT_QUIET = Duration.ofMillis(50);
  static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(500);

  /**
   * The quiet period when only endpoints changed: shorter, because such a push sends only the
   * changed ClusterLoadAssignments (docs/performance.md, "Push debounce defaults").
   */
  static final Duration DEFAULT_ENDPOINT_QUIET = Duration.ofMillis(10);

  static final Duration DEFAULT_RESCAN = Duration.ofSeconds(5);
  private static final long MIB = 1024L * 1024;
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  private ConfigFile() {}

  /** The parsed configuration, or the located errors that prevent using it. */
  public record Result(Optional<SextantConfig> config, List<ConfigError> errors) {}

  public static Result load(Path file) {
    Problems problems = new Problems(file.toString());
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      problems.add(new SourceLocation(file.toString(), 1, 1), "", "cannot read file: " + e);
      return new Result(Optional.empty(), problems.errors());
    }
    List<Node> docs = YamlDocuments.compose(text, problems);
    if (docs.size() > 1) {
      problems.add(docs.get(1), "", "expected one YAML document, found " + docs.size());
    }
    Path base = file.toAbsolutePath().getParent();
    Optional<SextantConfig> config =
        docs.isEmpty()
            ? Optional.of(read(Optional.empty(), base))
            : YamlObject.of(docs.get(0), "", problems).map(root -> read(Optional.of(root), base));
    return problems.isEmpty()
        ? new Result(config, List.of())
        : new Result(Optional.empty(), problems.errors());
  }

  private static SextantConfig read(Optional<YamlObject> rootOrEmpty, Path base) {
    if (rootOrEmpty.isEmpty()) {
      return new SextantConfig(
          new SextantConfig.Listen("0.0.0.0", SextantConfig.DEFAULT_XDS_PORT),
          new SextantConfig.Listen("0.0.0.0", SextantConfig.DEFAULT_ADMIN_PORT),
          MeshSettings.DEFAULT,
          List.of(),
          List.of(),
          defaultPush());
    }
    YamlObject root = rootOrEmpty.get();
    SextantConfig.Listen xds = listen(root, "xds", SextantConfig.DEFAULT_XDS_PORT);
    SextantConfig.Listen admin = listen(root, "admin", SextantConfig.DEFAULT_ADMIN_PORT);
    MeshSettings mesh = root.object("mesh").map(ConfigFile::mesh).orElse(MeshSettings.DEFAULT);
    String clusterDomain = mesh.clusterDomain();
    Set<String> names = new HashSet<>();
    List<SextantConfig.Source> registries =
        root.list("registries", s -> SourceConfig.read(s, base, names, clusterDomain, true));
    List<SextantConfig.Source> rules =
        root.list("rules", s -> SourceConfig.read(s, base, names, clusterDomain, false));
    SextantConfig.Push push =
        root.object("push")
            .map(
                p -> {
                  Duration quiet = duration(p, "debounceQuiet", DEFAULT_QUIET);
                  // Never longer than debounceQuiet unless asked: debounceQuiet: 0ms still pushes
                  // every change at once.
                  Duration endpointQuiet =
                      duration(
                          p,
                          "endpointDebounceQuiet",
                          quiet.compareTo(DEFAULT_ENDPOINT_QUIET) < 0
                              ? quiet
                              : DEFAULT_ENDPOINT_QUIET);
                  Duration max = duration(p, "debounceMax", DEFAULT_MAX_DELAY);
                  if (max.compareTo(quiet) < 0) {
                    p.error(
                        "debounceMax",
                        "must be at least debounceQuiet (" + quiet.toMillis() + "ms)");
                  } else if (max.compareTo(endpointQuiet) < 0) {
                    p.error(
                        "endpointDebounceQuiet",
                        "must be at most debounceMax (" + max.toMillis() + "ms)");
                  }
                  Optional<Integer> mib = p.integer("maxInFlightMiB", 1, 16384);
                  long fits = DirectMemory.maxSendBudgetBytes();
                  if (mib.isPresent() && mib.get() * MIB > fits) {
                    p.error(
                        "maxInFlightMiB",
                        mib.get()
                            + " MiB is more than half of the "
                            + DirectMemory.limitBytes() / MIB
                            + " MiB of direct memory this JVM allows, where responses wait until"
                            + " proxies read them; lower it to at most "
                            + fits / MIB
                            + ", or raise -XX:MaxDirectMemorySize (by default it is -Xmx)");
                  }
                  long inFlight = mib.map(m -> m * MIB).orElse(defaultSendBudget(fits));
                  p.finish();
                  return new SextantConfig.Push(quiet, max, inFlight, endpointQuiet);
                })
            .orElseGet(ConfigFile::defaultPush);
    root.finish();
    return new SextantConfig(xds, admin, mesh, registries, rules, push);
  }

  private static SextantConfig.Push defaultPush() {
    return new SextantConfig.Push(
        DEFAULT_QUIET,
        DEFAULT_MAX_DELAY,
        defaultSendBudget(DirectMemory.maxSendBudgetBytes()),
        DEFAULT_ENDPOINT_QUIET);
  }

  /** 64 MiB, or less in a JVM whose direct memory cannot hold twice that. */
  private static long defaultSendBudget(long fits) {
    return Math.max(MIB, Math.min(SextantConfig.Push.DEFAULT_MAX_IN_FLIGHT_BYTES, fits));
  }

  private static MeshSettings mesh(YamlObject m) {
    String clusterDomain = m.string("clusterDomain", MeshSettings.DEFAULT.clusterDomain());
    String rootNamespace = m.string("rootNamespace", MeshSettings.DEFAULT_ROOT_NAMESPACE);
    if (!Hostnames.isNamespace(rootNamespace)) {
      m.error(
          "rootNamespace",
          "expected a namespace name, a DNS-1123 label (lowercase letters, digits and '-'), got '"
              + rootNamespace
              + "'");
    }
    m.finish();
    return new MeshSettings(clusterDomain, rootNamespace);
  }

  private static SextantConfig.Listen listen(YamlObject root, String key, int defaultPort) {
    return root.object(key)
        .map(
            o -> {
              String address = o.string("address", "0.0.0.0");
              int port = o.integer("port", 0, 65535).orElse(defaultPort);
              SextantConfig.XdsTransport transport = SextantConfig.XdsTransport.BUILTIN;
              if (key.equals("xds")) {
                transport =
                    o.oneOf(
                            "transport",
                            Arrays.stream(SextantConfig.XdsTransport.values())
                                .map(SextantConfig.XdsTransport::configName)
                                .toList())
                        .flatMap(SextantConfig.XdsTransport::named)
                        .orElse(SextantConfig.XdsTransport.BUILTIN);
              }
              o.finish();
              return new SextantConfig.Listen(address, port, transport);
            })
        .orElse(new SextantConfig.Listen("0.0.0.0", defaultPort));
  }

  /** The longest duration any key takes; longer values are surely typos. */
  static final Duration MAX_DURATION = Duration.ofHours(24);

  /** Durations are written {@code 250ms}, {@code 5s} or {@code 2m}, from 0 to 24 hours. */
  static Duration duration(YamlObject o, String key, Duration fallback) {
    Optional<String> text = o.string(key);
    if (text.isEmpty()) {
      return fallback;
    }
    Matcher m = DURATION.matcher(text.get().trim());
    if (!m.matches()) {
      o.error(key, "expected a duration such as 100ms, 5s or 2m, got '" + text.get() + "'");
      return fallback;
    }
    Duration d;
    try {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
          };
    } catch (NumberFormatException | ArithmeticException e) {
      d = MAX_DURATION.plusMillis(1);
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      o.error(key, "must be at most 24h, got '" + text.get() + "'");
      return fallback;
    }
    return d;
  }

  /** A duration that must be more than zero. */
  static Duration positiveDuration(YamlObject o, String key, Duration fallback) {
    Duration d = duration(o, key, fallback);
    if (d.isZero()) {
      o.error(key, "must be more than 0");
      return fallback;
    }
    return d;
  }
}
