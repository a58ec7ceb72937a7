package io.sextant.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.server.cli.SextantCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sextant serve} in a JVM of its own, as an operator runs it: what a test needs to show that
 * something holds from one process to the next. Ports are picked by the server and read from its
 * startup log line.
 */
public final class ServeProcess implements AutoCloseable {
  private static final Pattern STARTED =
      Pattern.compile("Sextant started: .* on [^ ]+:(\\d+), admin on http://[^ ]+:(\\d+)");

  private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(60);

  private final Process process;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private volatile int xdsPort;
  private volatile int adminPort;

  private ServeProcess(ProcessBuilder builder) throws IOException {
    process = builder.redirectErrorStream(true).start();
    reader = new Thread(this::readLog, "serve-process-log");
    reader.setDaemon(true);
    reader.start();
  }

  /** Runs {@code sextant serve --config CONFIG} and waits until it listens and is ready. */
  public static ServeProcess start(Path config) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return start(
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            SextantCommand.class.getName(),
            "serve",
            "--config",
            config.toString(),
            "--xds-port",
            "0",
            "--admin-port",
            "0"));
  }

  /**
   * Runs {@code command}, a launcher such as {@code bin/sextant} with {@code serve} and its
   * options, with {@code env} added to its environment, and waits until it listens and is ready.
   */
  public static ServeProcess start(List<String> command, Map<String, String> env) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    return start(builder);
  }

  private static ServeProcess start(ProcessBuilder builder) {
    ServeProcess p;
    try {
      p = new ServeProcess(builder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // A JVM of its own starts slowly on a loaded machine.
    Eventually.holds(
        STARTUP_DEADLINE,
        () ->
            assertThat(p.adminPort).as("sextant serve listening; its log: %s", p.log).isPositive());
    AdminClient admin = new AdminClient(p.adminPort);
    Eventually.until("sextant serve to be ready", () -> admin.get("/readyz").statusCode() == 200);
    return p;
  }

  public int xdsPort() {
    return xdsPort;
  }

  /** Everything the process has printed so far, one line per entry. */
  public List<String> log() {
    return List.copyOf(log);
  }

  /** The exit code, once {@link #close()} has returned. */
  public int exitValue() {
    return process.exitValue();
  }

  private void readLog() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        log.add(line);
        Matcher m = STARTED.matcher(line);
        if (m.find()) {
          xdsPort = Integer.parseInt(m.group(1));
          adminPort = Integer.parseInt(m.group(2));
        }
      }
    } catch (IOException e) {
      log.add("log reader stopped: " + e);
    }
  }

  /**
   * Sends SIGTERM and waits for the process to exit and its last log lines to be read. The wait is
   * long because a JVM recording an AOT cache writes it as it exits.
   */
  @Override
  public void close() throws InterruptedException {
    // Process.destroy() would also close the pipes and lose the shutdown log.
    process.toHandle().destroy();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
  }
}
