package io.sextant.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

class MeshFilesTest {
  private static final MeshSpec MESH = new MeshSpec(12, 2, 4, 3, MeshSpec.COMMON_PORTS);

  @TempDir Path dir;

  @Test
  void namespaceScope_writesOneSidecarPerNamespaceBesideTheVirtualServices() throws IOException {
    new MeshFiles(MESH.withSidecarScope(SidecarScope.NAMESPACE), dir).writeAll(0, 0);

    List<Map<String, Object>> sidecars = documentsOfKind("Sidecar");
    assertThat(sidecars).hasSize(3);
    assertThat(sidecars)
        .extracting(d -> metadata(d).get("namespace"))
        .containsExactlyInAnyOrder("ns-00", "ns-01", "ns-02");
    for (Map<String, Object> sidecar : sidecars) {
      assertThat(sidecar).containsEntry("apiVersion", "networking.istio.io/v1");
      assertThat(metadata(sidecar)).containsEntry("name", "default");
      assertThat(sidecar.get("spec"))
          .isEqualTo(Map.of("egress", List.of(Map.of("hosts", List.of("./*")))));
    }
    assertThat(documentsOfKind("VirtualService")).hasSize(4);
  }

  @Test
  void defaultScope_writesNoSidecar() throws IOException {
    MeshFiles files = new MeshFiles(MESH, dir);
    files.writeAll(0, 0);

    assertThat(documentsOfKind("Sidecar")).isEmpty();
    assertThat(files.hasSidecars()).isFalse();
  }

  /** The YAML documents of {@code kind} in the rules directory the control plane reads. */
  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> documentsOfKind(String kind) throws IOException {
    List<Map<String, Object>> found = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir.resolve("rules"))) {
      files = listing.toList();
    }
    for (Path file : files) {
      for (Object document : new Yaml().loadAll(Files.readString(file))) {
        Map<String, Object> d = (Map<String, Object>) document;
        if (kind.equals(d.get("kind"))) {
          found.add(d);
        }
      }
    }
    return found;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> metadata(Map<String, Object> document) {
    return (Map<String, Object>) document.get("metadata");
  }
}
