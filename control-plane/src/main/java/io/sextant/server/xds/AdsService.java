package io.sextant.server.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Aggregated Discovery Service: every stream, state-of-the-world or delta, starts here.
 * State-of-the-world requests are read raw ({@link SotwRequest}), delta requests with the generated
 * protobuf classes; responses are written as {@link EncodedResponse}s, whose resource bytes are
 * encoded once and shared by every stream.
 */
final class AdsService {
  private AdsService() {}

  static ServerServiceDefinition definition(XdsStreams streams, ProxyTracker tracker) {
    AtomicLong ids = new AtomicLong();
    MethodDescriptor<SotwRequest, EncodedResponse> sotw =
        method(
            AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(),
            SotwRequest.MARSHALLER);
    MethodDescriptor<DeltaDiscoveryRequest, EncodedResponse> delta =
        method(
            AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod(),
            ProtoUtils.marshaller(DeltaDiscoveryRequest.getDefaultInstance()));
    return ServerServiceDefinition.builder(AggregatedDiscoveryServiceGrpc.SERVICE_NAME)
        .addMethod(
            sotw,
            ServerCalls.asyncBidiStreamingCall(
                responses -> new SotwStream(ids.incrementAndGet(), responses, streams, tracker)))
        .addMethod(
            delta,
            ServerCalls.asyncBidiStreamingCall(
                responses -> new DeltaStream(ids.incrementAndGet(), responses, streams, tracker)))
        .build();
  }

  private static <Q> MethodDescriptor<Q, EncodedResponse> method(
      MethodDescriptor<?, ?> generated, MethodDescriptor.Marshaller<Q> requests) {
    return MethodDescriptor.<Q, EncodedResponse>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName(generated.getFullMethodName())
        .setRequestMarshaller(requests)
        .setResponseMarshaller(EncodedResponse.MARSHALLER)
        .build();
  }
}
