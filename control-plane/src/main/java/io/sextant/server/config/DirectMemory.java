package io.sextant.server.config;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The direct (off-heap) memory this JVM lets NIO buffers reserve. Responses written to proxies wait
 * in gRPC's direct buffers until the proxy reads them, so the send budget must stay well below it:
 * a budget of 512 MiB under {@code -Xmx512m} ran a cold start of 2,000 proxies out of direct
 * memory.
 */
public final class DirectMemory {
  private DirectMemory() {}

  /** {@code -XX:MaxDirectMemorySize} if set, else the JVM's default for it: the heap's maximum. */
  public static long limitBytes() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    long set = Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
    return set > 0 ? set : Runtime.getRuntime().maxMemory();
  }

  /** The largest send budget this JVM can hold: half its direct memory, the rest left to gRPC. */
  public static long maxSendBudgetBytes() {
    return limitBytes() / 2;
  }
}
