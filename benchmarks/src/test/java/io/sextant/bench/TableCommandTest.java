package io.sextant.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.sextant.bench.loadgen.Report;
import io.sextant.bench.mesh.MeshSpec;
import io.sextant.bench.mesh.SidecarScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The results table of docs/performance.md, regenerated from what a scenario run records. */
class TableCommandTest {
  @TempDir Path dir;

  private static Report.Phase phase(double rate, double p50, double p99, int unconverged) {
    return new Report.Phase(
        rate,
        new Report.Latencies(10, unconverged, p50, p50 * 2, p99, p99 + 1),
        0,
        Map.of(),
        0,
        60,
        1.25,
        0.5);
  }

  private Path scenarioJson() throws Exception {
    return scenarioJson(MeshSpec.of(1000, 10, 100));
  }

  private Path scenarioJson(MeshSpec spec) throws Exception {
    Report report =
        new Report(
            2000,
            "delta",
            17.06,
            Map.of(),
            0.88,
            1.06,
            phase(10, 250.0, 900.0, 0),
            phase(10, 291.9, 660.4, 0),
            phase(1, 307.2, 585.5, 2),
            113_400_000L);
    Path file = dir.resolve("mesh-1k-delta.json");
    Files.writeString(
        file,
        ScenarioCommand.record(
                report, "mesh-1k", spec, "512m", "bin/sextant-loadgen scenario mesh-1k --delta")
            .toString());
    return file;
  }

  @Test
  void aScenarioRun_becomesOneRowWithItsLatenciesCpuAndHeap_andItsCommand() throws Exception {
    Path json = scenarioJson();

    String table =
        TableCommand.render(
            List.of(JsonParser.parseString(Files.readString(json)).getAsJsonObject()), List.of());

    assertThat(table)
        .contains(
            "| mesh-1k (1000 services, after a 60 s settle) | delta | 2000 | 17.1 | 0.88 / 1.06 |"
                + " 292 / 584 / 660 / 661 | 1.25 / 0.50 |"
                + " 307 / 614 / 586 / 587 (2 never converged) | 108 |")
        .contains("bin/sextant-loadgen scenario mesh-1k --delta");
  }

  @Test
  void aRunWithASidecarPerNamespace_saysSoInItsRow() throws Exception {
    Path json = scenarioJson(MeshSpec.of(1000, 10, 100).withSidecarScope(SidecarScope.NAMESPACE));

    String table =
        TableCommand.render(
            List.of(JsonParser.parseString(Files.readString(json)).getAsJsonObject()), List.of());

    assertThat(table)
        .contains(
            "| mesh-1k (1000 services, a Sidecar per namespace, after a 60 s settle) | delta |");
  }

  @Test
  void aRunWhoseControlPlaneRanOnAnotherJvm_namesThatJvmInItsRow() throws Exception {
    JsonObject other = JsonParser.parseString(Files.readString(scenarioJson())).getAsJsonObject();
    other.addProperty("controlPlaneJvm", "OpenJDK 64-Bit Server VM 25.0.3+9-LTS");
    JsonObject same = JsonParser.parseString(Files.readString(scenarioJson())).getAsJsonObject();
    same.addProperty(
        "controlPlaneJvm", same.getAsJsonObject("environment").get("jvm").getAsString());

    String table = TableCommand.render(List.of(same, other), List.of());

    assertThat(table)
        .contains(
            "| mesh-1k (1000 services, after a 60 s settle) | delta |",
            "| mesh-1k (1000 services, after a 60 s settle, control plane on OpenJDK 64-Bit"
                + " Server VM 25.0.3+9-LTS) | delta |");
  }

  @Test
  void aRunThatRecordedItsJvmOptions_namesItsCollectorInItsRow() throws Exception {
    JsonObject parallel =
        JsonParser.parseString(Files.readString(scenarioJson())).getAsJsonObject();
    JsonArray options = new JsonArray();
    List.of("-Xmx512m", "-Xms512m", "-XX:+UseParallelGC", "-XX:+AlwaysPreTouch")
        .forEach(options::add);
    parallel.add("controlPlaneJvmOptions", options);
    JsonObject older = JsonParser.parseString(Files.readString(scenarioJson())).getAsJsonObject();

    String table = TableCommand.render(List.of(parallel, older), List.of());

    assertThat(table)
        .contains(
            "| mesh-1k (1000 services, after a 60 s settle, Parallel collector) | delta |",
            "| mesh-1k (1000 services, after a 60 s settle) | delta |");
  }

  /** One benchmark as JMH's {@code -rf json} writes it, trimmed to what the table reads. */
  private static JsonObject jmhResult(String benchmark, String services, String secondary) {
    return JsonParser.parseString(
            """
            {"benchmark": "io.sextant.bench.jmh.TranslationBenchmark.%s",
             "vmName": "OpenJDK 64-Bit Server VM", "vmVersion": "17.0.15+6",
             "params": {"endpoints": "10", "services": "%s", "virtualServices": "100"},
             "primaryMetric": {"score": 435.008, "scoreError": 240.567, "scoreUnit": "ms/op"},
             "secondaryMetrics": {%s}}
            """
                .formatted(benchmark, services, secondary))
        .getAsJsonObject();
  }

  @Test
  void aJmhRunWithTheGcProfiler_showsTheMegabytesEachOperationAllocated() {
    String table =
        TableCommand.render(
            List.of(),
            List.of(
                jmhResult(
                    "fullMesh",
                    "10000",
                    "\"gc.alloc.rate.norm\": {\"score\": 316956036.6, \"scoreUnit\": \"B/op\"}"),
                jmhResult("oneSidecar", "1000", "")));

    assertThat(table)
        .contains("| `fullMesh` | 10000 | 435.008 ± 240.567 | 317.0 |")
        .contains("| `oneSidecar` | 1000 | 435.008 ± 240.567 |  |");
  }

  @Test
  void update_replacesOnlyTheTextBetweenTheMarkers() throws Exception {
    Path doc = dir.resolve("performance.md");
    Files.writeString(
        doc,
        "# Performance\nintro\n"
            + TableCommand.BEGIN
            + "\nold table\n"
            + TableCommand.END
            + "\nafterwards\n");

    int exit =
        new CommandLine(new TableCommand())
            .execute("--update", doc.toString(), scenarioJson().toString());

    String updated = Files.readString(doc);
    assertThat(exit).isZero();
    assertThat(updated)
        .startsWith("# Performance\nintro\n" + TableCommand.BEGIN + "\n")
        .endsWith(TableCommand.END + "\nafterwards\n")
        .contains("| mesh-1k (1000 services, after a 60 s settle) | delta |")
        .doesNotContain("old table");
  }

  @Test
  void update_ofAFileWithoutMarkers_failsAndLeavesItAlone() throws Exception {
    Path doc = dir.resolve("other.md");
    Files.writeString(doc, "no markers here\n");

    int exit =
        new CommandLine(new TableCommand())
            .execute("--update", doc.toString(), scenarioJson().toString());

    assertThat(exit).isEqualTo(1);
    assertThat(Files.readString(doc)).isEqualTo("no markers here\n");
  }
}
