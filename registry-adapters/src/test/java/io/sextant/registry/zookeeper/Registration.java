package io.sextant.registry.zookeeper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One instance a test provider registers.
 *
 * @param service the Curator service name, or the Dubbo interface
 * @param id the Curator instance id (Dubbo entries have none)
 * @param labels the Curator payload, or the Dubbo URL's parameters, in order
 * @param protocol the Curator payload's {@code protocol}, or the Dubbo URL's scheme; null for none
 *     (Curator) or {@code dubbo} (Dubbo)
 */
record Registration(
    String service,
    String id,
    String address,
    int port,
    Map<String, String> labels,
    String protocol) {

  Registration {
    labels = new LinkedHashMap<>(labels);
  }

  static Registration of(String service, String id, String address, int port) {
    return new Registration(service, id, address, port, Map.of(), null);
  }

  /** Labels in the given order: {@code key1, value1, key2, value2...}. */
  Registration withLabels(String... keysAndValues) {
    Map<String, String> ordered = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      ordered.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return new Registration(service, id, address, port, ordered, protocol);
  }

  Registration withProtocol(String word) {
    return new Registration(service, id, address, port, labels, word);
  }
}
