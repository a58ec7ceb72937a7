package io.sextant.e2e;

import java.util.ArrayList;
import java.util.List;

/** What a test class started (servers, Envoy, control plane), closed in reverse order. */
final class Resources implements AutoCloseable {
  private final List<AutoCloseable> started = new ArrayList<>();

  /** Remembers {@code resource} for {@link #close()} and returns it. */
  <T extends AutoCloseable> T keep(T resource) {
    started.add(0, resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : started) {
      c.close();
    }
    started.clear();
  }
}
