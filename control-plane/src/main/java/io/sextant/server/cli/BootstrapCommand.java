package io.sextant.server.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sextant bootstrap}: prints an Envoy bootstrap for one sidecar. */
@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    description = {
      "Print an Envoy bootstrap (YAML) for a sidecar of SERVICE that gets its configuration from Sextant.",
      "Run it with: envoy -c bootstrap.yaml"
    })
final class BootstrapCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--node-id",
      required = true,
      paramLabel = "ID",
      description = "node.id, unique per proxy.")
  String nodeId;

  @Option(
      names = "--service",
      required = true,
      paramLabel = "NAME",
      description = "The workload's service (node.cluster): its ports become inbound listeners.")
  String service;

  @Option(
      names = "--namespace",
      defaultValue = "default",
      paramLabel = "NS",
      description = "The workload's namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--xds",
      defaultValue = "127.0.0.1:15010",
      paramLabel = "HOST:PORT",
      description = "Sextant's xDS address (default: ${DEFAULT-VALUE}).")
  String xds;

  @Option(
      names = "--interception",
      defaultValue = "REDIRECT",
      paramLabel = "MODE",
      description =
          "REDIRECT (iptables sends traffic to 15001/15006) or NONE (the app calls 127.0.0.1:PORT). Default: ${DEFAULT-VALUE}.")
  EnvoyBootstrap.Interception interception;

  @Option(
      names = "--admin-port",
      defaultValue = "15000",
      paramLabel = "N",
      description = "Envoy's admin port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "A workload label (repeatable).")
  Map<String, String> labels = Map.of();

  @Option(
      names = "--instance-ip",
      paramLabel = "IP",
      description = "The workload's IP (repeatable); with NONE, inbound listeners bind it.")
  List<String> instanceIps = List.of();

  @Option(
      names = "--locality",
      paramLabel = "REGION[/ZONE[/SUBZONE]]",
      description = "node.locality, for DestinationRule locality load balancing (default: none).")
  String locality = "";

  @Option(
      names = "--sotw",
      description =
          "Use state-of-the-world xDS (ADS apiType: GRPC) instead of incremental (delta) xDS, the default.")
  boolean sotw;

  @Option(
      names = "--delta",
      description =
          "Use incremental (delta) xDS, the default; still accepted from before it was the default.")
  boolean delta;

  @Override
  public Integer call() {
    int colon = xds.lastIndexOf(':');
    String host = colon > 0 ? xds.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // [::1]:15010, as in a URL
    }
    int port = -1;
    try {
      port = colon > 0 ? Integer.parseInt(xds.substring(colon + 1)) : -1;
    } catch (NumberFormatException e) {
      // reported below
    }
    if (!locality.isEmpty()
        && (locality.split("/", -1).length > 3
            || java.util.Arrays.stream(locality.split("/", -1)).anyMatch(String::isBlank))) {
      System.err.println(
          "sextant bootstrap: --locality must be REGION, REGION/ZONE or REGION/ZONE/SUBZONE, got '"
              + locality
              + "'");
      return 2;
    }
    if (sotw && delta) {
      System.err.println("sextant bootstrap: --sotw and --delta exclude each other; give one");
      return 2;
    }
    if (host.isEmpty() || port < 1 || port > 65535) {
      System.err.println(
          "sextant bootstrap: --xds must be HOST:PORT with a port from 1 to 65535"
              + " (IPv6 as [ADDRESS]:PORT), got '"
              + xds
              + "'");
      return 2;
    }
    // Through picocli's writer (System.out unless a caller set another): a caller can capture the
    // bootstrap without swapping System.out, where other threads' log lines would land too.
    PrintWriter out = spec.commandLine().getOut();
    out.print(
        EnvoyBootstrap.yaml(
            new EnvoyBootstrap.Options(
                nodeId,
                service,
                namespace,
                host,
                port,
                interception,
                adminPort,
                labels,
                instanceIps,
                !sotw,
                locality)));
    out.flush();
    return 0;
  }
}
