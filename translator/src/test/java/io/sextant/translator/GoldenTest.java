package io.sextant.translator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: {@code golden/in/CASE.yaml} must translate to {@code
 * golden/out/CASE.{listeners,routes,clusters,endpoints,diagnostics}.yaml}. Run with {@code
 * -Dgolden.update=true} to rewrite the expected files, then review their diff.
 */
class GoldenTest {
  private static final Path ROOT = Path.of("src/test/resources/golden");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<Path> cases() throws IOException {
    try (Stream<Path> files = Files.list(ROOT.resolve("in"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translationMatchesGoldenFiles(Path input) throws IOException {
    GoldenCase c = GoldenCase.load(input);

    Translation t = Translator.translate(c.mesh(), c.proxy());

    assertThat(SnapshotConsistency.check(t.resources())).as("consistency of " + c.name()).isEmpty();
    Map<String, List<? extends Message>> outputs =
        Map.of(
            "listeners", t.resources().listeners(),
            "routes", t.resources().routes(),
            "clusters", t.resources().clusters(),
            "endpoints", t.resources().endpoints());
    for (Map.Entry<String, List<? extends Message>> e : outputs.entrySet()) {
      compare(c.name() + "." + e.getKey() + ".yaml", GoldenFiles.render(e.getValue()));
    }
    compare(
        c.name() + ".diagnostics.yaml",
        GoldenFiles.dump(t.diagnostics().stream().map(Diagnostic::toString).toList()));
  }

  private static void compare(String fileName, String actual) throws IOException {
    Path expected = ROOT.resolve("out").resolve(fileName);
    if (UPDATE) {
      Files.writeString(expected, actual);
      return;
    }
    assertThat(expected)
        .as("%s is missing; run the tests with -Dgolden.update=true to create it", expected)
        .exists();
    assertThat(actual).as(fileName).isEqualTo(Files.readString(expected));
  }
}
