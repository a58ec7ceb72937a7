package io.sextant.config.networking;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Istio's {@code Headers}: what to do to the request and to the response headers.
 *
 * @param request operations on the request, before it is forwarded
 * @param response operations on the response, before it is returned
 */
public record HeaderOperations(Operations request, Operations response) {
  public static final HeaderOperations NONE =
      new HeaderOperations(Operations.NONE, Operations.NONE);

  public HeaderOperations {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(response, "response");
  }

  public boolean isEmpty() {
    return request.isEmpty() && response.isEmpty();
  }

  /**
   * Istio's {@code HeaderOperations}.
   *
   * @param set headers to set, replacing any value
   * @param add headers to add, keeping existing values
   * @param remove headers to remove
   */
  public record Operations(Map<String, String> set, Map<String, String> add, List<String> remove) {
    public static final Operations NONE = new Operations(Map.of(), Map.of(), List.of());

    public Operations {
      set = Map.copyOf(set);
      add = Map.copyOf(add);
      remove = List.copyOf(remove);
    }

    public boolean isEmpty() {
      return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }
  }
}
