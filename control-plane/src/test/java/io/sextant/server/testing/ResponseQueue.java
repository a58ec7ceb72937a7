package io.sextant.server.testing;

import static org.assertj.core.api.Assertions.fail;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.sextant.server.xds.XdsType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The receiving half of a test ADS stream: responses queued per type URL, in arrival order, for the
 * test to take one by one.
 */
final class ResponseQueue<R> implements StreamObserver<R> {
  private final Function<R, String> typeUrl;
  private final Map<String, BlockingQueue<R>> byType = new ConcurrentHashMap<>();
  private volatile Throwable error;
  private volatile boolean completed;

  ResponseQueue(Function<R, String> typeUrl) {
    this.typeUrl = typeUrl;
  }

  /** A plaintext channel to the xDS server on 127.0.0.1. */
  static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  /** Closes {@code channel} at once, cancelling its stream as a proxy going away does. */
  static void shutDown(ManagedChannel channel) {
    channel.shutdownNow();
    try {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void onNext(R response) {
    queue(typeUrl.apply(response)).add(response);
  }

  @Override
  public void onError(Throwable t) {
    error = t;
  }

  @Override
  public void onCompleted() {
    completed = true;
  }

  /** The next response of {@code type}; fails the test if none comes before the deadline. */
  R next(XdsType type) {
    return within(type, Eventually.DEADLINE)
        .orElseGet(
            () ->
                fail(
                    "no %s response within %s (stream error: %s, completed: %s)",
                    type, Eventually.DEADLINE, error, completed));
  }

  /** The next response of {@code type} if one arrives within {@code wait}. */
  Optional<R> within(XdsType type, Duration wait) {
    try {
      return Optional.ofNullable(
          queue(type.typeUrl()).poll(wait.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + type, e);
    }
  }

  /** Everything that arrives within {@code wait}, with what was already queued, in type order. */
  List<R> drainAfter(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while watching the stream", e);
    }
    List<R> drained = new ArrayList<>();
    byType.values().forEach(q -> q.drainTo(drained));
    return drained;
  }

  private BlockingQueue<R> queue(String type) {
    return byType.computeIfAbsent(type, t -> new LinkedBlockingQueue<>());
  }
}
