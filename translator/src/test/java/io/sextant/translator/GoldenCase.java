package io.sextant.translator;

import com.google.gson.Gson;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.fixtures.Rules;
import io.sextant.model.Endpoint;
import io.sextant.model.HealthStatus;
import io.sextant.model.Locality;
import io.sextant.model.MeshService;
import io.sextant.model.MeshSnapshot;
import io.sextant.model.Protocol;
import io.sextant.model.Resolution;
import io.sextant.model.Service;
import io.sextant.model.ServicePort;
import io.sextant.translator.envoy.ProtoJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * One golden case, {@code in/CASE.yaml}: a header document (the proxy's xDS {@code node}, and
 * optionally {@code services} in model form for what a ServiceEntry cannot say, such as health)
 * followed by Istio resources.
 */
record GoldenCase(String name, MeshSnapshot mesh, ProxyContext proxy) {

  @SuppressWarnings("unchecked")
  static GoldenCase load(Path file) throws IOException {
    String text = Files.readString(file);
    int split = text.indexOf("\n---\n");
    String header = split < 0 ? text : text.substring(0, split);
    String rules = split < 0 ? "" : text.substring(split + 5);
    Map<String, Object> head = new Yaml().load(header);

    Node.Builder node = Node.newBuilder();
    ProtoJson.parse(new Gson().toJson(head.get("node")), node);

    List<MeshService> services = new ArrayList<>();
    for (Map<String, Object> s :
        (List<Map<String, Object>>) head.getOrDefault("services", List.of())) {
      services.add(service(s));
    }
    String caseName = file.getFileName().toString().replaceFirst("\\.yaml$", "");
    // Line numbers in diagnostics count from the first rule document.
    MeshSnapshot mesh = Rules.mesh("rules.yaml", rules, services);
    return new GoldenCase(caseName, mesh, ProxyContext.fromNode(node.build()));
  }

  @SuppressWarnings("unchecked")
  private static MeshService service(Map<String, Object> s) {
    List<ServicePort> ports = new ArrayList<>();
    for (Map<String, Object> p : (List<Map<String, Object>>) s.get("ports")) {
      int number = (Integer) p.get("number");
      ports.add(
          new ServicePort(
              (String) p.get("name"),
              number,
              Protocol.valueOf((String) p.get("protocol")),
              (Integer) p.getOrDefault("targetPort", number)));
    }
    String host = (String) s.get("hostname");
    Service service =
        new Service(
            host,
            (String) s.getOrDefault("namespace", "default"),
            ports,
            (Map<String, String>) s.getOrDefault("labels", Map.of()),
            Resolution.valueOf((String) s.getOrDefault("resolution", "STATIC")),
            (List<String>) s.getOrDefault("addresses", List.of()));
    List<Endpoint> endpoints = new ArrayList<>();
    for (Map<String, Object> e :
        (List<Map<String, Object>>) s.getOrDefault("endpoints", List.of())) {
      endpoints.add(
          new Endpoint(
              (String) e.get("address"),
              (Integer) e.get("port"),
              (Integer) e.get("servicePort"),
              (Map<String, String>) e.getOrDefault("labels", Map.of()),
              Locality.parse((String) e.getOrDefault("locality", "")),
              HealthStatus.valueOf((String) e.getOrDefault("health", "HEALTHY")),
              (Integer) e.getOrDefault("weight", 1),
              (String) e.getOrDefault("origin", "test")));
    }
    return new MeshService(service, endpoints);
  }
}
