package io.sextant.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import io.sextant.server.testing.ServeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sextant serve} with {@code SEXTANT_AOT_CACHE}, as docs/performance.md tells an
 * operator to run it: on JDK 25 or newer the first run records an ahead-of-time cache and the next
 * starts from it; on an older JDK the variable is ignored with a note. Runs the packaged jar, so it
 * lives here, after the control plane's module is packaged.
 */
class AotCacheLauncherTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path LAUNCHER = ROOT.resolve("bin/sextant");
  private static final Path JAR = ROOT.resolve("control-plane/target/sextant.jar");
  private static final Path CONFIG = ROOT.resolve("examples/quickstart/sextant.yaml");

  @TempDir Path dir;

  @Test
  void onJdk25_theFirstServeRecordsACache_andTheNextStartsFromIt() throws Exception {
    Path jdk = requireJarAndJdk25();
    Path cache = dir.resolve("sextant.aot");
    Map<String, String> env =
        Map.of(
            "PATH",
            jdk.resolve("bin") + ":" + System.getenv("PATH"),
            "SEXTANT_AOT_CACHE",
            cache.toString());

    List<String> first = serveUntilReadyThenStop(env);

    assertThat(first).anyMatch(l -> l.contains("recording an AOT cache in " + cache));
    assertThat(cache).as("written when the server stopped; its log: %s", first).isNotEmptyFile();

    // AOTMode=on: the JVM refuses to start unless it can use the cache.
    Map<String, String> again = new HashMap<>(env);
    again.put("SEXTANT_JAVA_OPTS", "-XX:AOTMode=on");
    List<String> second = serveUntilReadyThenStop(again);

    assertThat(second).noneMatch(l -> l.contains("recording an AOT cache"));
  }

  @Test
  void aCacheOlderThanTheJar_isRecordedAgain() throws Exception {
    Path jdk = requireJarAndJdk25();
    Path cache = dir.resolve("sextant.aot");
    Files.writeString(cache, "a cache from an older build");
    Files.setLastModifiedTime(cache, FileTime.fromMillis(0));

    List<String> log =
        serveUntilReadyThenStop(
            Map.of(
                "PATH",
                jdk.resolve("bin") + ":" + System.getenv("PATH"),
                "SEXTANT_AOT_CACHE",
                cache.toString()));

    assertThat(log).anyMatch(l -> l.contains("recording an AOT cache in " + cache));
    assertThat(Files.readAllBytes(cache))
        .as("replaced by a cache of this build")
        .isNotEqualTo("a cache from an older build".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.getLastModifiedTime(cache)).isGreaterThan(Files.getLastModifiedTime(JAR));
  }

  @Test
  void onAnOlderJdk_theVariableIsIgnoredWithANote_andTheServerStartsAsUsual() throws Exception {
    requireJar();
    if (Runtime.version().feature() >= 25) {
      abort("this JVM is " + Runtime.version() + "; the test needs one older than 25");
    }
    Path cache = dir.resolve("sextant.aot");
    Path ownJava = Path.of(System.getProperty("java.home"), "bin");
    Map<String, String> env =
        Map.of(
            "PATH", ownJava + ":" + System.getenv("PATH"), "SEXTANT_AOT_CACHE", cache.toString());

    List<String> log = serveUntilReadyThenStop(env);

    assertThat(log)
        .anyMatch(
            l ->
                l.contains(
                    "SEXTANT_AOT_CACHE needs JDK 25 or newer, and this java is "
                        + Runtime.version().feature()));
    assertThat(cache).doesNotExist();
  }

  private static void requireJar() {
    if (!Files.isRegularFile(JAR)) {
      abort(JAR + " is not built; run the tests through mvn verify, which packages it first");
    }
  }

  /**
   * The packaged jar must exist, and a JDK 25 or newer; the test is skipped, saying why, if not.
   */
  private static Path requireJarAndJdk25() throws IOException, InterruptedException {
    requireJar();
    return jdk25()
        .orElseGet(
            () ->
                abort(
                    "no JDK 25 or newer: none in SEXTANT_TEST_JDK25 or under /usr/lib/jvm;"
                        + " AOT caches need one"));
  }

  /**
   * A JDK of version 25 or newer: SEXTANT_TEST_JDK25, else the first under /usr/lib/jvm, by name.
   */
  private static Optional<Path> jdk25() throws IOException, InterruptedException {
    String named = System.getenv("SEXTANT_TEST_JDK25");
    if (named != null && !named.isBlank()) {
      return Optional.of(Path.of(named));
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    List<Path> homes;
    try (Stream<Path> s = Files.list(jvms)) {
      homes = s.filter(h -> Files.isExecutable(h.resolve("bin/java"))).sorted().toList();
    }
    for (Path home : homes) {
      if (featureVersion(home) >= 25) {
        return Optional.of(home);
      }
    }
    return Optional.empty();
  }

  private static int featureVersion(Path home) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(home.resolve("bin/java").toString(), "-version")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher m = Pattern.compile("version \"(\\d+)").matcher(out);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /**
   * Runs {@code bin/sextant serve} on the quickstart (free ports) with {@code env} added, waits
   * until it is ready, stops it with SIGTERM as an operator would, and returns what it printed.
   */
  private static List<String> serveUntilReadyThenStop(Map<String, String> env) throws Exception {
    ServeProcess serve =
        ServeProcess.start(
            List.of(
                LAUNCHER.toString(),
                "serve",
                "--config",
                CONFIG.toString(),
                "--xds-port",
                "0",
                "--admin-port",
                "0"),
            env);
    serve.close();
    return serve.log();
  }
}
