package io.sextant.server.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;

/** The Aggregated Discovery Service: every stream, state-of-the-world or delta, starts here. */
final class AdsService extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
  private final XdsStreams streams;
  private final ProxyTracker tracker;
  private final AtomicLong ids = new AtomicLong();

  AdsService(XdsStreams streams, ProxyTracker tracker) {
    this.streams = streams;
    this.tracker = tracker;
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
      StreamObserver<DiscoveryResponse> responses) {
    return new SotwStream(ids.incrementAndGet(), responses, streams, tracker);
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    return new DeltaStream(ids.incrementAndGet(), responses, streams, tracker);
  }
}
