package io.sextant.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a stream does when gRPC has no memory left for a response. */
class XdsStreamMemoryTest {
  @Test
  void aResponseThatFindsNoMemory_endsTheStream_soTheProxyReconnectsInsteadOfWaitingForever() {
    List<Throwable> errors = new ArrayList<>();
    StreamObserver<EncodedResponse> out =
        new StreamObserver<>() {
          @Override
          public void onNext(EncodedResponse r) {
            throw new OutOfMemoryError("Cannot reserve 2097152 bytes of direct buffer memory");
          }

          @Override
          public void onError(Throwable t) {
            errors.add(t);
          }

          @Override
          public void onCompleted() {}
        };
    DeltaStream stream = new DeltaStream(1, out, new XdsStreams(), LoneTracker.create());
    EncodedResponse response =
        EncodedResponse.of(XdsType.CDS, "v1", "1", ByteString.EMPTY, 0, List.of());

    stream.write(response);

    assertThat(errors)
        .singleElement()
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e).getCode())
                    .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    // Ended once: failing again does not report a second error to gRPC.
    stream.fail(Status.INTERNAL);
    assertThat(errors).hasSize(1);
  }
}
