package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders a custom resource as the YAML a user would have applied, so that it goes through exactly
 * the loader and checks that rule files go through.
 */
final class CustomResourceYaml {
  private CustomResourceYaml() {}

  static String render(GenericKubernetesResource r) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", r.getApiVersion());
    doc.put("kind", r.getKind());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", r.getMetadata().getName());
    metadata.put("namespace", r.getMetadata().getNamespace());
    if (r.getMetadata().getLabels() != null && !r.getMetadata().getLabels().isEmpty()) {
      metadata.put("labels", r.getMetadata().getLabels());
    }
    doc.put("metadata", metadata);
    // Everything but metadata and status, as written: a field Sextant does not know is reported.
    r.getAdditionalProperties()
        .forEach(
            (key, value) -> {
              if (!key.equals("status")) {
                doc.put(key, value);
              }
            });
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setSplitLines(false);
    return new Yaml(options).dump(doc);
  }
}
