package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;

/** Fluent builders for the Kubernetes objects the registry reads. */
public final class KubeObjects {
  private KubeObjects() {}

  /** A port named {@code name} ({@code http-web}, {@code grpc}...) on {@code port}. */
  public static ServicePort port(String name, int port, int targetPort) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withProtocol("TCP")
        .withTargetPort(new IntOrString(targetPort))
        .build();
  }

  public static Service service(String namespace, String name, ServicePort... ports) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP("10.96.0." + (Math.abs(name.hashCode()) % 250 + 1))
        .withPorts(ports)
        .endSpec()
        .build();
  }

  /** A ready endpoint at {@code ip}, backed by pod {@code pod} (null for none) on {@code node}. */
  public static Endpoint ready(String ip, String pod, String node) {
    return endpoint(ip, pod, node, true, false);
  }

  public static Endpoint endpoint(
      String ip, String pod, String node, boolean ready, boolean terminating) {
    EndpointBuilder b =
        new EndpointBuilder()
            .withAddresses(ip)
            .withNodeName(node)
            .withNewConditions()
            .withReady(ready)
            .withServing(ready || terminating)
            .withTerminating(terminating)
            .endConditions();
    if (pod != null) {
      b.withNewTargetRef().withKind("Pod").withName(pod).endTargetRef();
    }
    return b.build();
  }

  /**
   * Slice {@code sliceName} of service {@code service}, whose single port is named {@code portName}
   * and listens on {@code port}.
   */
  public static EndpointSlice slice(
      String namespace,
      String service,
      String sliceName,
      String portName,
      int port,
      List<Endpoint> endpoints) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(sliceName)
        .withLabels(Map.of(KubernetesRegistry.SERVICE_NAME_LABEL, service))
        .endMetadata()
        .withAddressType("IPv4")
        .withPorts(
            new EndpointPortBuilder().withName(portName).withPort(port).withProtocol("TCP").build())
        .withEndpoints(endpoints)
        .build();
  }

  public static Pod pod(String namespace, String name, String ip, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-a")
        .endSpec()
        .withNewStatus()
        .withPodIP(ip)
        .endStatus()
        .build();
  }

  public static Node node(String name, String region, String zone) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(
            Map.of(KubernetesServices.REGION_LABEL, region, KubernetesServices.ZONE_LABEL, zone))
        .endMetadata()
        .build();
  }

  public static Namespace namespace(String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }
}
