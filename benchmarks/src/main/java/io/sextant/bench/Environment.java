package io.sextant.bench;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** What a measurement ran on, recorded with its results. */
final class Environment {
  private Environment() {}

  static JsonObject describe() {
    JsonObject o = new JsonObject();
    o.addProperty("date", LocalDate.now(ZoneOffset.UTC).toString());
    o.addProperty("cores", Runtime.getRuntime().availableProcessors());
    o.addProperty("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown"));
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      o.addProperty("memoryGiB", Math.round(sun.getTotalMemorySize() / (1024.0 * 1024 * 1024)));
    }
    o.addProperty(
        "os",
        firstValue(Path.of("/etc/os-release"), "PRETTY_NAME")
            .map(v -> v.replace("\"", ""))
            .orElse(System.getProperty("os.name") + " " + System.getProperty("os.version")));
    o.addProperty(
        "jvm",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    return o;
  }

  /**
   * The JVM that {@code java} starts, described as {@link #describe} describes this one ("OpenJDK
   * 64-Bit Server VM 25.0.3+9-LTS"), read from its {@code -XshowSettings:properties} output.
   */
  static String jvmOf(Path java) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(java.toString(), "-XshowSettings:properties", "-version")
            .redirectErrorStream(true)
            .start();
    List<String> lines;
    try (var out = p.getInputStream()) {
      lines = new String(out.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    if (p.waitFor() != 0) {
      throw new IOException(java + " -version failed: " + String.join("\n", lines));
    }
    Optional<String> name = property(lines, "java.vm.name");
    Optional<String> version = property(lines, "java.runtime.version");
    if (name.isEmpty() || version.isEmpty()) {
      throw new IOException(java + " did not say its java.vm.name and java.runtime.version");
    }
    return name.get() + " " + version.get();
  }

  private static Optional<String> property(List<String> lines, String key) {
    String prefix = key + " = ";
    return lines.stream()
        .map(String::strip)
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()))
        .findFirst();
  }

  /** The value of the first {@code key: value} or {@code key=value} line of a file. */
  private static Optional<String> firstValue(Path file, String key) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(l.contains("=") ? '=' : ':') + 1).trim())
          .findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
