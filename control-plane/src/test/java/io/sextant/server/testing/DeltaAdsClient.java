package io.sextant.server.testing;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.sextant.server.xds.XdsType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A raw incremental (delta) ADS client on one stream. Like Envoy, it sends its node on the first
 * request only.
 */
public final class DeltaAdsClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final Node node;
  private final ResponseQueue<DeltaDiscoveryResponse> responses =
      new ResponseQueue<>(DeltaDiscoveryResponse::getTypeUrl);
  private final StreamObserver<DeltaDiscoveryRequest> requests;
  private boolean nodeSent;

  private DeltaAdsClient(int port, Node node) {
    this.channel = ResponseQueue.channel(port);
    this.node = node;
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(responses);
  }

  /** Opens a delta ADS stream to the xDS server on 127.0.0.1:{@code port}. */
  public static DeltaAdsClient connect(int port, Node node) {
    return new DeltaAdsClient(port, node);
  }

  /** Adds {@code names} to the subscription of {@code type}; none on a first request = wildcard. */
  public synchronized void subscribe(XdsType type, String... names) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .addAllResourceNamesSubscribe(List.of(names)));
  }

  /**
   * Subscribes to all of {@code type} as a reconnecting Envoy does: saying which version of each
   * resource it still holds.
   */
  public synchronized void resume(XdsType type, Map<String, String> held) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .putAllInitialResourceVersions(held));
  }

  public synchronized void ack(DeltaDiscoveryResponse response) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce()));
  }

  public synchronized void nack(DeltaDiscoveryResponse response, String message) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .setErrorDetail(
                Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(message)));
  }

  /** Subscribes, waits for the response and ACKs it. */
  public DeltaDiscoveryResponse fetch(XdsType type, String... names) {
    subscribe(type, names);
    DeltaDiscoveryResponse response = next(type);
    ack(response);
    return response;
  }

  /** The next response of {@code type}; fails if none comes before the deadline. */
  public DeltaDiscoveryResponse next(XdsType type) {
    return responses.next(type);
  }

  /** The next response of {@code type} if one comes within {@link Eventually#QUIET}. */
  public Optional<DeltaDiscoveryResponse> nextWithinQuietPeriod(XdsType type) {
    return responses.within(type, Eventually.QUIET);
  }

  /** The types of the responses that arrive within {@link Eventually#QUIET} (or were waiting). */
  public List<String> typeUrlsArrivingWithinQuietPeriod() {
    return responses.drainAfter(Eventually.QUIET).stream()
        .map(DeltaDiscoveryResponse::getTypeUrl)
        .toList();
  }

  @Override
  public void close() {
    ResponseQueue.shutDown(channel);
  }

  private void send(DeltaDiscoveryRequest.Builder request) {
    if (!nodeSent) {
      request.setNode(node);
      nodeSent = true;
    }
    requests.onNext(request.build());
  }
}
