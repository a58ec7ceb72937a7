package io.sextant.bench.loadgen;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.sextant.bench.mesh.MeshFiles;
import io.sextant.bench.mesh.MeshSpec;
import io.sextant.bench.mesh.ProxyFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Opens N ADS streams that behave like Envoy sidecars, measures how long they take to receive and
 * ACK everything, then changes endpoints and rules at set rates and measures how long each change
 * takes to reach every proxy that imports the changed service (all of them, unless the mesh has
 * Sidecars). Usable as a library (the scenarios, the smoke test) and from the command line (the
 * {@code scenario} and {@code run} subcommands of {@code sextant-loadgen}).
 */
public final class LoadGenerator implements AutoCloseable {
  static final String ENDPOINT_CHANGE = "endpoint";
  static final String RULE_CHANGE = "rule";

  /** What to run. */
  public record Options(
      String xdsHost,
      int xdsPort,
      String admin,
      int proxies,
      boolean delta,
      MeshFiles mesh,
      double endpointChangesPerSecond,
      double ruleChangesPerSecond,
      Duration churn,
      int threads,
      Duration settle) {}

  private final Options options;
  private final ProxyFleet fleet;
  private final List<Integer> endpointTargets;
  private final List<Integer> ruleTargets;
  private final TypeStats stats = new TypeStats();
  private final Convergence convergence = new Convergence();
  private final EventLoopGroup loop;
  private final boolean epoll;
  private final List<SimulatedProxy> proxies = new ArrayList<>();
  private final CountDownLatch converged;
  private final Random random = new Random(42);
  private int markerSeq;

  /** The system properties of the Netty that gRPC shades, as its allocator reads them. */
  private static final String SHADED_ALLOCATOR = "io.grpc.netty.shaded.io.netty.allocator.";

  /**
   * Lets each event loop keep buffers of up to 1 MiB for reuse; Netty's pooled allocator keeps only
   * those of up to 32 KiB by default. gRPC writes each request into one buffer of its size, and a
   * state-of-the-world ACK repeats every subscribed name: 58 KB for EDS at {@code mesh-1k}. A
   * buffer above the limit goes back to its 4 MiB chunk, and a chunk left empty between two
   * endpoint changes is freed; the next change's 2,000 ACKs then took new chunks, zeroed page by
   * page: 18% of the load generator's CPU in that phase. Must run before gRPC's Netty creates its
   * allocator (first thing in {@code main}); values given with {@code -D} are kept.
   */
  public static void cacheLargeBuffers() {
    System.getProperties().putIfAbsent(SHADED_ALLOCATOR + "maxCachedBufferCapacity", "1048576");
    System.getProperties().putIfAbsent(SHADED_ALLOCATOR + "normalCacheSize", "1024");
  }

  public LoadGenerator(Options options) {
    this.options = options;
    MeshSpec spec = options.mesh().spec();
    this.fleet = new ProxyFleet(spec, options.proxies());
    this.endpointTargets = fleet.importedAmong(spec.services());
    this.ruleTargets = fleet.importedAmong(spec.virtualServices());
    // Linux's native transport where it loads (as the control plane's gRPC server uses): it takes
    // fewer system calls per message than NIO, and the load generator shares the machine.
    this.epoll = Epoll.isAvailable();
    this.loop =
        epoll
            ? new EpollEventLoopGroup(options.threads())
            : new NioEventLoopGroup(options.threads());
    this.converged = new CountDownLatch(options.proxies());
  }

  /**
   * Runs the whole measurement: connect every proxy at once and wait until all have ACKed every
   * type; if asked, let the control plane settle under both kinds of churn, unmeasured; change
   * endpoints at the set rate for the churn duration; then change rules likewise; finally read the
   * control plane's live heap with every proxy still connected.
   */
  public Report run() throws InterruptedException {
    MeshSpec spec = options.mesh().spec();
    ControlPlaneProbe probe =
        options.admin() == null ? null : new ControlPlaneProbe(options.admin());

    double cpuBefore = probe == null ? Double.NaN : probe.cpuSeconds();
    double ownCpuBefore = ownCpuSeconds();
    long start = System.nanoTime();
    connect();
    boolean allConverged = false;
    long deadline = start + TimeUnit.MINUTES.toNanos(10);
    while (!allConverged && System.nanoTime() < deadline) {
      allConverged = converged.await(1, TimeUnit.SECONDS);
      if (!allConverged) {
        System.out.printf(
            "  after %.0f s: %d of %d proxies have ACKed every type%n",
            (System.nanoTime() - start) / 1e9,
            options.proxies() - converged.getCount(),
            options.proxies());
      }
    }
    double coldStart = (System.nanoTime() - start) / 1e9;
    checkFailures();
    Map<TypeStats.Type, long[]> coldStartReceived = stats.drain();
    double[] coldStartCores = {
      probe == null ? Double.NaN : (probe.cpuSeconds() - cpuBefore) / coldStart,
      (ownCpuSeconds() - ownCpuBefore) / coldStart
    };

    Churn endpointChurn =
        new Churn(ENDPOINT_CHANGE, options.endpointChangesPerSecond(), () -> changeEndpoint(spec));
    Churn ruleChurn =
        new Churn(
            RULE_CHANGE,
            spec.virtualServices() == 0 ? 0 : options.ruleChangesPerSecond(),
            () -> changeRule(spec));
    Report.Phase settle =
        options.settle().isZero()
            ? Report.Phase.skipped()
            : phase(List.of(endpointChurn, ruleChurn), options.settle(), SETTLE_DRAIN, probe);
    Report.Phase endpoints = phase(List.of(endpointChurn), options.churn(), PHASE_DRAIN, probe);
    Report.Phase rules = phase(List.of(ruleChurn), options.churn(), PHASE_DRAIN, probe);
    long liveHeap = probe == null ? -1 : probe.liveHeapBytes();
    checkFailures();
    return new Report(
        options.proxies(),
        options.delta() ? "delta" : "sotw",
        allConverged ? coldStart : Double.NaN,
        coldStartReceived,
        coldStartCores[0],
        coldStartCores[1],
        settle,
        endpoints,
        rules,
        liveHeap);
  }

  /** How long a measured phase waits for its last changes to arrive before it counts. */
  private static final Duration PHASE_DRAIN = Duration.ofSeconds(5);

  /**
   * How long the settle waits for its changes to arrive: under both kinds of churn a backlog builds
   * up (in mesh-10k endpoint changes took up to 11 s), and it must not spill into the measured
   * phase that follows.
   */
  private static final Duration SETTLE_DRAIN = Duration.ofSeconds(60);

  /** One kind of change, made at a rate. */
  private record Churn(String kind, double perSecond, Runnable change) {}

  /**
   * Makes the changes of {@code churns}, each at its rate, for {@code length}, and measures them:
   * the latencies reported are the first kind's. The changes are made one at a time, on one thread.
   * Afterwards it waits up to {@code drain} for changes still on their way.
   */
  private Report.Phase phase(
      List<Churn> churns, Duration length, Duration drain, ControlPlaneProbe probe)
      throws InterruptedException {
    List<Churn> active = churns.stream().filter(c -> c.perSecond() > 0).toList();
    if (active.isEmpty()) {
      return Report.Phase.skipped();
    }
    String kind = churns.get(0).kind();
    double perSecond = churns.get(0).perSecond();
    convergence.reset();
    stats.drain();
    double cpuBefore = probe == null ? Double.NaN : probe.cpuSeconds();
    double ownCpuBefore = ownCpuSeconds();
    long begin = System.nanoTime();
    ScheduledExecutorService churn = Executors.newSingleThreadScheduledExecutor();
    for (Churn c : active) {
      churn.scheduleAtFixedRate(c.change(), 0, (long) (1e9 / c.perSecond()), TimeUnit.NANOSECONDS);
    }
    Thread.sleep(length.toMillis());
    churn.shutdownNow();
    churn.awaitTermination(10, TimeUnit.SECONDS);
    // Let the last changes arrive before counting; what has not arrived by then is reported.
    long settleUntil = System.nanoTime() + drain.toNanos();
    while (active.stream().anyMatch(c -> convergence.anyPending(c.kind()))
        && System.nanoTime() < settleUntil) {
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    double cpu = probe == null ? Double.NaN : (probe.cpuSeconds() - cpuBefore) / seconds;
    double ownCpu = (ownCpuSeconds() - ownCpuBefore) / seconds;
    return new Report.Phase(
        perSecond,
        Report.Latencies.of(convergence.finished(kind), convergence.unfinished(kind)),
        convergence.superseded(),
        stats.drain(),
        convergence.unexpectedDeliveries(),
        seconds,
        cpu,
        ownCpu);
  }

  /** CPU seconds this JVM (the load generator) has used. */
  private static double ownCpuSeconds() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun
        ? sun.getProcessCpuTime() / 1e9
        : Double.NaN;
  }

  private void connect() {
    for (int i = 0; i < options.proxies(); i++) {
      Node node = fleet.node(i);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(options.xdsHost(), options.xdsPort())
              .usePlaintext()
              .eventLoopGroup(loop)
              .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
              .directExecutor()
              .maxInboundMessageSize(256 * 1024 * 1024)
              .build();
      SimulatedProxy proxy =
          options.delta()
              ? new DeltaProxy(i, node, channel, stats, convergence, converged)
              : new SotwProxy(i, node, channel, stats, convergence, converged);
      proxies.add(proxy);
    }
    proxies.forEach(SimulatedProxy::start);
  }

  /** Moves the first endpoint of a random service some proxy imports to a fresh marker port. */
  private void changeEndpoint(MeshSpec spec) {
    int service = endpointTargets.get(random.nextInt(endpointTargets.size()));
    int port = 20000 + (markerSeq++ % 40000);
    start(ENDPOINT_CHANGE, spec.cluster(service), Integer.toString(port), service);
    options.mesh().writeService(service, port);
  }

  /** Renames the route of a random VirtualService some proxy imports. */
  private void changeRule(MeshSpec spec) {
    int service = ruleTargets.get(random.nextInt(ruleTargets.size()));
    int seq = ++markerSeq;
    String vhost = spec.host(service) + ":" + spec.port(service);
    start(RULE_CHANGE, vhost, MeshFiles.routeName(seq), service);
    options.mesh().writeRules(service, seq);
  }

  /**
   * Registers a change to {@code service} (its endpoints, or its VirtualService, which lives in its
   * namespace): the proxies that import the service are expected to get it, and only they.
   */
  private void start(String kind, String resource, String marker, int service) {
    convergence.start(
        kind, resource, marker, fleet.importers(service), p -> fleet.imports(p, service));
  }

  private void checkFailures() {
    for (SimulatedProxy p : proxies) {
      if (p.failure != null) {
        throw new IllegalStateException("proxy " + p.index + " failed", p.failure);
      }
    }
  }

  @Override
  public void close() {
    proxies.forEach(SimulatedProxy::close);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
