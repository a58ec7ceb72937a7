package io.sextant.server.admin;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** The process's CPU time and heap, for {@code /metrics} and {@code /debug/memz}. */
final class ProcessStats {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private ProcessStats() {}

  /** CPU time of the whole process in nanoseconds, or -1 where the JVM cannot tell. */
  static long cpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  static long heapUsed() {
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  static long heapCommitted() {
    return MEMORY.getHeapMemoryUsage().getCommitted();
  }

  static long heapMax() {
    return MEMORY.getHeapMemoryUsage().getMax();
  }

  /** Collects garbage (twice, so objects freed by finalization-like cleanups go too). */
  static void collect() {
    System.gc();
    System.gc();
  }
}
