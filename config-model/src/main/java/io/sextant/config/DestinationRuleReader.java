package io.sextant.config;

import io.sextant.config.networking.DestinationRule;
import io.sextant.config.networking.Subset;
import io.sextant.config.networking.TrafficPolicy;
import io.sextant.config.yaml.YamlObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads and validates the spec of a DestinationRule. */
final class DestinationRuleReader {
  private DestinationRuleReader() {}

  static DestinationRule read(ResourceMeta meta, YamlObject spec) {
    String host = spec.requiredString("host");
    if (!host.isEmpty()) {
      VirtualServiceReader.checkHost(spec, "host", host);
    }
    List<Subset> subsets = spec.list("subsets", DestinationRuleReader::readSubset);
    Set<String> names = new HashSet<>();
    for (Subset subset : subsets) {
      if (!names.add(subset.name())) {
        spec.error("subsets", "subset '" + subset.name() + "' is defined twice");
      }
    }
    TrafficPolicy policy = TrafficPolicyReader.read(spec, "trafficPolicy");
    spec.unsupported("exportTo", "workloadSelector");
    spec.finish();
    return new DestinationRule(meta, host, subsets, policy);
  }

  private static Subset readSubset(YamlObject s) {
    String name = s.requiredString("name");
    if (!name.isEmpty() && !name.matches("[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?")) {
      s.error("name", "expected letters, digits, '-', '_' or '.', got '" + name + "'");
    }
    var labels = s.stringMap("labels");
    TrafficPolicy policy = TrafficPolicyReader.read(s, "trafficPolicy");
    s.finish();
    return name.isEmpty() ? null : new Subset(name, labels, policy);
  }
}
