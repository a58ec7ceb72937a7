package io.sextant.e2e;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real gRPC server on 127.0.0.1 that answers {@code e2e.Identity/WhoAmI} with its own name, so a
 * test can tell which instance served each call. No generated code: a string marshaller.
 */
final class GrpcBackend implements AutoCloseable {
  static final MethodDescriptor<String, String> WHO_AM_I =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("e2e.Identity/WhoAmI")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  /** How a backend answers its {@code n}th call (counted from 1). */
  @FunctionalInterface
  interface Behaviour {
    /** The status to fail the call with, or null to answer with the backend's name. */
    Status answer(long n);

    /** Answers every call. */
    Behaviour HEALTHY = n -> null;

    /** Fails every odd-numbered call with {@code status}: a flaky backend. */
    static Behaviour failingEveryOther(Status status) {
      return n -> n % 2 == 1 ? status : null;
    }

    /** Answers every call after {@code delay}: a slow backend. */
    static Behaviour slow(java.time.Duration delay) {
      return n -> {
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return null;
      };
    }
  }

  /** The start of the description of a call a failing backend refused. */
  static final String FAILED = "failed:";

  private final String name;
  private final Server server;
  private volatile boolean failing;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  GrpcBackend(String name) {
    this(name, Behaviour.HEALTHY);
  }

  GrpcBackend(String name, Behaviour behaviour) {
    this.name = name;
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("e2e.Identity")
            .addMethod(
                WHO_AM_I,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      long n = calls.incrementAndGet();
                      Status failure =
                          failing
                              ? Status.INTERNAL.withDescription(FAILED + name)
                              : behaviour.answer(n);
                      if (failure != null) {
                        failures.incrementAndGet();
                        response.onError(failure.asRuntimeException());
                        return;
                      }
                      response.onNext(name);
                      response.onCompleted();
                    }))
            .build();
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(service)
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String name() {
    return name;
  }

  int port() {
    return server.getPort();
  }

  /** Calls received so far, failed ones included. */
  long calls() {
    return calls.get();
  }

  /** Calls this backend failed on purpose. */
  long failures() {
    return failures.get();
  }

  /** While {@code failing}, every call fails with INTERNAL, described as {@code failed:NAME}. */
  void failing(boolean failing) {
    this.failing = failing;
  }

  /** One call: the name of the backend that answered. */
  static String whoAmI(Channel channel) {
    return ClientCalls.blockingUnaryCall(
        channel, WHO_AM_I, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "");
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
