package io.sextant.server.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.config.ConfigError;
import io.sextant.config.ConfigLoader;
import io.sextant.config.LoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every complete rule in the docs' YAML examples (a block with {@code apiVersion} and {@code kind})
 * loads without errors, so what users copy from the documentation works.
 */
class DocExamplesTest {
  private static final List<Path> PAGES =
      List.of(
          Path.of("..", "docs", "traffic-management.md"),
          Path.of("..", "docs", "routing-rules.md"));

  /** An example: the page, the line its block starts on, and its text. */
  record Example(Path page, int line, String yaml) {
    @Override
    public String toString() {
      return page.getFileName() + ":" + line;
    }
  }

  static Stream<Example> examples() throws IOException {
    List<Example> found = new ArrayList<>();
    for (Path page : PAGES) {
      List<String> lines = Files.readAllLines(page);
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).strip().equals("```yaml")) {
          continue;
        }
        int start = i + 1;
        StringBuilder yaml = new StringBuilder();
        for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
          yaml.append(lines.get(i)).append('\n');
        }
        if (yaml.indexOf("apiVersion:") >= 0 && yaml.indexOf("kind:") >= 0) {
          found.add(new Example(page, start + 1, yaml.toString()));
        }
      }
    }
    assertThat(found).as("examples found in the docs").hasSizeGreaterThan(5);
    return found.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyCompleteExample_loadsWithoutErrors(Example example) {
    LoadResult result = ConfigLoader.parse(example.toString(), example.yaml());
    assertThat(result.errors()).extracting(ConfigError::toString).isEmpty();
    assertThat(result.resources()).isNotEmpty();
  }
}
