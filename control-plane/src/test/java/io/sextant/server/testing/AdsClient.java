package io.sextant.server.testing;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.sextant.server.xds.XdsType;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A raw state-of-the-world ADS client on one stream, driven by hand the way Envoy drives it:
 * subscribe, take a response, ACK or NACK it by version and nonce.
 */
public final class AdsClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final Node node;
  private final ResponseQueue<DiscoveryResponse> responses =
      new ResponseQueue<>(DiscoveryResponse::getTypeUrl);
  private final StreamObserver<DiscoveryRequest> requests;
  private final Map<XdsType, List<String>> subscribed = new EnumMap<>(XdsType.class);
  private final Map<XdsType, String> accepted = new EnumMap<>(XdsType.class);
  private final Map<XdsType, String> lastNonce = new EnumMap<>(XdsType.class);
  private boolean nodeOnlyOnce;
  private boolean nodeSent;

  private AdsClient(int port, Node node) {
    this.channel = ResponseQueue.channel(port);
    this.node = node;
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(responses);
  }

  /** Opens an ADS stream to the xDS server on 127.0.0.1:{@code port}. */
  public static AdsClient connect(int port, Node node) {
    return new AdsClient(port, node);
  }

  /** Sends the node on the first request only, as clients may (Envoy's node-on-first-message). */
  public AdsClient sendNodeOnlyOnce() {
    nodeOnlyOnce = true;
    return this;
  }

  /**
   * Pretends {@code version} of {@code type} was accepted earlier, as a proxy reconnecting to a
   * restarted control plane presents the configuration it runs.
   */
  public AdsClient alreadyAccepted(XdsType type, String version) {
    accepted.put(type, version);
    return this;
  }

  /** Subscribes to {@code names} of {@code type}; no names is a wildcard subscription. */
  public synchronized void request(XdsType type, String... names) {
    subscribed.put(type, List.of(names));
    send(
        type,
        DiscoveryRequest.newBuilder()
            .setVersionInfo(accepted.getOrDefault(type, ""))
            .setResponseNonce(lastNonce.getOrDefault(type, "")));
  }

  /** Accepts {@code response}: its version becomes the one this client runs. */
  public synchronized void ack(DiscoveryResponse response) {
    XdsType type = typeOf(response);
    accepted.put(type, response.getVersionInfo());
    lastNonce.put(type, response.getNonce());
    send(
        type,
        DiscoveryRequest.newBuilder()
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce()));
  }

  /** Rejects {@code response}, naming the last accepted version as Envoy does. */
  public synchronized void nack(DiscoveryResponse response, String message) {
    XdsType type = typeOf(response);
    lastNonce.put(type, response.getNonce());
    send(
        type,
        DiscoveryRequest.newBuilder()
            .setVersionInfo(accepted.getOrDefault(type, ""))
            .setResponseNonce(response.getNonce())
            .setErrorDetail(
                Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(message)));
  }

  /** Subscribes, waits for the response and ACKs it. */
  public DiscoveryResponse fetch(XdsType type, String... names) {
    request(type, names);
    DiscoveryResponse response = next(type);
    ack(response);
    return response;
  }

  /**
   * Subscribes as an Envoy sidecar does: listeners and clusters by wildcard, then the endpoints of
   * the EDS clusters and the route configurations the listeners name. ACKs every response.
   */
  public Map<XdsType, DiscoveryResponse> fetchEverything() {
    Map<XdsType, DiscoveryResponse> all = new EnumMap<>(XdsType.class);
    all.put(XdsType.LDS, fetch(XdsType.LDS));
    all.put(XdsType.CDS, fetch(XdsType.CDS));
    all.put(
        XdsType.EDS,
        fetch(XdsType.EDS, Unpacked.edsClusterNames(all.get(XdsType.CDS)).toArray(String[]::new)));
    all.put(
        XdsType.RDS,
        fetch(XdsType.RDS, Unpacked.rdsNames(all.get(XdsType.LDS)).toArray(String[]::new)));
    return all;
  }

  /** The versions of {@link #fetchEverything()}'s responses, by type. */
  public static Map<XdsType, String> versions(Map<XdsType, DiscoveryResponse> responses) {
    Map<XdsType, String> versions = new EnumMap<>(XdsType.class);
    responses.forEach((type, r) -> versions.put(type, r.getVersionInfo()));
    return versions;
  }

  /** The types of the responses that arrive within {@link Eventually#QUIET} (or were waiting). */
  public List<XdsType> typesArrivingWithinQuietPeriod() {
    return responses.drainAfter(Eventually.QUIET).stream().map(AdsClient::typeOf).toList();
  }

  /** The next response of {@code type}; fails if none comes before the deadline. */
  public DiscoveryResponse next(XdsType type) {
    return responses.next(type);
  }

  /** The next response of {@code type} if one comes within {@link Eventually#QUIET}. */
  public Optional<DiscoveryResponse> nextWithinQuietPeriod(XdsType type) {
    return responses.within(type, Eventually.QUIET);
  }

  /** The next response of {@code type} if one comes within {@code wait}. */
  public Optional<DiscoveryResponse> next(XdsType type, Duration wait) {
    return responses.within(type, wait);
  }

  /** Ends the stream from the client side and lets the server finish it. */
  public void halfClose() {
    requests.onCompleted();
  }

  @Override
  public void close() {
    ResponseQueue.shutDown(channel);
  }

  private void send(XdsType type, DiscoveryRequest.Builder request) {
    request
        .setTypeUrl(type.typeUrl())
        .clearResourceNames()
        .addAllResourceNames(subscribed.getOrDefault(type, List.of()));
    if (!nodeOnlyOnce || !nodeSent) {
      request.setNode(node);
      nodeSent = true;
    }
    requests.onNext(request.build());
  }

  private static XdsType typeOf(DiscoveryResponse response) {
    return XdsType.of(response.getTypeUrl()).orElseThrow();
  }
}
