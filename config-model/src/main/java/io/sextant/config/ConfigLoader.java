package io.sextant.config;

import io.sextant.config.sextant.RateLimit;
import io.sextant.config.yaml.Problems;
import io.sextant.config.yaml.YamlDocuments;
import io.sextant.config.yaml.YamlObject;
import io.sextant.model.Hostnames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads Istio {@code networking.istio.io} resources (ServiceEntry, VirtualService, DestinationRule,
 * Sidecar), and Sextant's own {@code sextant.io} {@code RateLimit}, from multi-document YAML. Each
 * document is checked field by field; every problem is reported with {@code file:line:column}, the
 * field path and what was expected. A file with any problem yields no resources at all.
 */
public final class ConfigLoader {
  /** The API versions Istio serves for the networking kinds; all carry the same schema. */
  public static final List<String> NETWORKING_API_VERSIONS =
      List.of(
          "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3");

  static final Set<String> LATER_KINDS =
      Set.of(
          "Gateway",
          "WorkloadEntry",
          "WorkloadGroup",
          "EnvoyFilter",
          "ProxyConfig",
          "PeerAuthentication",
          "AuthorizationPolicy",
          "RequestAuthentication",
          "Telemetry");

  private ConfigLoader() {}

  /** Reads and parses {@code file}; an unreadable file is a located error too. */
  public static LoadResult load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return LoadResult.failed(
          List.of(
              new ConfigError(
                  new SourceLocation(file.toString(), 1, 1), "", "cannot read file: " + e)));
    }
    return parse(file.toString(), text);
  }

  /** Parses {@code text}, naming it {@code file} in errors. */
  public static LoadResult parse(String file, String text) {
    Problems problems = new Problems(file);
    List<ConfigResource> resources = new ArrayList<>();
    for (Node document : YamlDocuments.compose(text, problems)) {
      YamlObject.of(document, "", problems)
          .flatMap(ConfigLoader::readResource)
          .ifPresent(resources::add);
    }
    if (!problems.isEmpty()) {
      return LoadResult.failed(problems.errors());
    }
    return new LoadResult(resources, List.of());
  }

  private static Optional<ConfigResource> readResource(YamlObject doc) {
    Problems problems = doc.problems();
    int before = problems.size();
    String apiVersion = doc.requiredString("apiVersion");
    String kind = doc.requiredString("kind");
    doc.ignore("status");
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    if (LATER_KINDS.contains(kind)) {
      doc.error("kind", "kind '" + kind + "' is valid in Istio but not supported by Sextant yet");
      return Optional.empty();
    }
    Optional<ResourceMeta> meta = readMeta(doc, apiVersion, kind);
    Optional<YamlObject> spec = doc.requiredObject("spec");
    doc.finish();
    if (meta.isEmpty() || spec.isEmpty()) {
      return Optional.empty();
    }
    ConfigResource resource =
        switch (kind) {
          case "ServiceEntry" -> ServiceEntryReader.read(meta.get(), spec.get());
          case "VirtualService" -> VirtualServiceReader.read(meta.get(), spec.get());
          case "DestinationRule" -> DestinationRuleReader.read(meta.get(), spec.get());
          case "Sidecar" -> SidecarReader.read(meta.get(), spec.get());
          case RateLimit.KIND -> RateLimitReader.read(meta.get(), spec.get());
          default -> null;
        };
    return problems.size() == before ? Optional.ofNullable(resource) : Optional.empty();
  }

  private static Optional<ResourceMeta> readMeta(YamlObject doc, String apiVersion, String kind) {
    if (!List.of("ServiceEntry", "VirtualService", "DestinationRule", "Sidecar", RateLimit.KIND)
        .contains(kind)) {
      doc.error(
          "kind",
          "unknown kind '"
              + kind
              + "'; expected ServiceEntry, VirtualService, DestinationRule, Sidecar or RateLimit");
      return Optional.empty();
    }
    List<String> versions =
        kind.equals(RateLimit.KIND) ? List.of(RateLimit.API_VERSION) : NETWORKING_API_VERSIONS;
    if (!apiVersion.isEmpty() && !versions.contains(apiVersion)) {
      doc.error(
          "apiVersion",
          "expected "
              + (versions.size() > 1 ? "one of " : "")
              + String.join(", ", versions)
              + " for "
              + kind
              + ", got '"
              + apiVersion
              + "'");
    }
    Optional<YamlObject> metadata = doc.requiredObject("metadata");
    if (metadata.isEmpty()) {
      return Optional.empty();
    }
    YamlObject m = metadata.get();
    String name = m.requiredString("name");
    String namespace = m.string("namespace", ResourceMeta.DEFAULT_NAMESPACE);
    if (!name.isEmpty() && !Hostnames.isValid(name)) {
      m.error(
          "name",
          "expected a DNS-1123 name (lowercase letters, digits, '-' and '.'), got '" + name + "'");
    }
    if (!Hostnames.isNamespace(namespace)) {
      m.error(
          "namespace",
          "expected a DNS-1123 label (lowercase letters, digits and '-'), got '" + namespace + "'");
    }
    var labels = m.stringMap("labels");
    m.stringMap("annotations");
    // What `kubectl get -o yaml` adds; harmless bookkeeping, so copied rules still load.
    m.ignore(
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "selfLink",
        "finalizers",
        "ownerReferences",
        "generateName",
        "deletionTimestamp",
        "deletionGracePeriodSeconds");
    m.finish();
    return Optional.of(new ResourceMeta(apiVersion, kind, name, namespace, labels, doc.location()));
  }
}
