package io.sextant.registry.consul;

import java.util.List;
import java.util.Map;

/**
 * One service instance as a test registers it in Consul: the node it runs on, the service, its
 * check status, and whether it is in maintenance. Register the same datacenter, node and id again
 * to change it.
 *
 * @param nodeStatus the status of the node's own health check
 * @param address the service address; empty for "use the node's"
 * @param status the status of the instance's service check
 */
public record Registration(
    String datacenter,
    String node,
    String nodeAddress,
    Map<String, String> nodeMeta,
    String nodeStatus,
    String service,
    String id,
    String address,
    int port,
    List<String> tags,
    Map<String, String> meta,
    String status,
    boolean maintenance) {

  public Registration {
    nodeMeta = Map.copyOf(nodeMeta);
    tags = List.copyOf(tags);
    meta = Map.copyOf(meta);
  }

  /** A passing instance in {@code dc1} on its own node {@code node-ID}, at {@code address}. */
  public static Registration of(String service, String id, String address, int port) {
    return new Registration(
        "dc1",
        "node-" + id,
        address,
        Map.of(),
        "passing",
        service,
        id,
        address,
        port,
        List.of(),
        Map.of(),
        "passing",
        false);
  }

  public Registration inDatacenter(String dc) {
    return new Registration(
        dc,
        node,
        nodeAddress,
        nodeMeta,
        nodeStatus,
        service,
        id,
        address,
        port,
        tags,
        meta,
        status,
        maintenance);
  }

  Registration onNode(String newNode, String newNodeAddress, Map<String, String> newNodeMeta) {
    return new Registration(
        datacenter,
        newNode,
        newNodeAddress,
        newNodeMeta,
        nodeStatus,
        service,
        id,
        address,
        port,
        tags,
        meta,
        status,
        maintenance);
  }

  Registration withNodeStatus(String newNodeStatus) {
    return new Registration(
        datacenter,
        node,
        nodeAddress,
        nodeMeta,
        newNodeStatus,
        service,
        id,
        address,
        port,
        tags,
        meta,
        status,
        maintenance);
  }

  Registration withServiceAddress(String newAddress) {
    return new Registration(
        datacenter,
        node,
        nodeAddress,
        nodeMeta,
        nodeStatus,
        service,
        id,
        newAddress,
        port,
        tags,
        meta,
        status,
        maintenance);
  }

  Registration withPort(int newPort) {
    return new Registration(
        datacenter,
        node,
        nodeAddress,
        nodeMeta,
        nodeStatus,
        service,
        id,
        address,
        newPort,
        tags,
        meta,
        status,
        maintenance);
  }

  Registration withTags(String... newTags) {
    return new Registration(
        datacenter,
        node,
        nodeAddress,
        nodeMeta,
        nodeStatus,
        service,
        id,
        address,
        port,
        List.of(newTags),
        meta,
        status,
        maintenance);
  }

  Registration withMeta(Map<String, String> newMeta) {
    return new Registration(
        datacenter,
        node,
        nodeAddress,
        nodeMeta,
        nodeStatus,
        service,
        id,
        address,
        port,
        tags,
        newMeta,
        status,
        maintenance);
  }

  Registration withStatus(String newStatus) {
    return new Registration(
        datacenter,
        node,
        nodeAddress,
        nodeMeta,
        nodeStatus,
        service,
        id,
        address,
        port,
        tags,
        meta,
        newStatus,
        maintenance);
  }

  Registration inMaintenance() {
    return new Registration(
        datacenter,
        node,
        nodeAddress,
        nodeMeta,
        nodeStatus,
        service,
        id,
        address,
        port,
        tags,
        meta,
        status,
        true);
  }
}
