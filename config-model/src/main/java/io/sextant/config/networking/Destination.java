package io.sextant.config.networking;

import java.util.Objects;

/**
 * A service (and optionally a subset and port) requests are sent to.
 *
 * @param host the destination host as written; short names are resolved against the rule's
 *     namespace
 * @param subset a DestinationRule subset name, empty for all endpoints
 * @param port the destination port number, 0 when unset
 */
public record Destination(String host, String subset, int port) {
  public Destination {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(subset, "subset");
  }
}
