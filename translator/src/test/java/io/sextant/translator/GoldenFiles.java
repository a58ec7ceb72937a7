package io.sextant.translator;

import com.google.protobuf.Message;
import io.sextant.translator.envoy.ProtoJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Renders resources as YAML with sorted keys: protobuf's JSON printer, re-emitted as YAML. */
final class GoldenFiles {
  private GoldenFiles() {}

  static String render(List<? extends Message> resources) {
    List<Object> items = new ArrayList<>();
    for (Message m : resources) {
      items.add(sorted(new Yaml().load(ProtoJson.print(m))));
    }
    return dump(items);
  }

  static String dump(Object value) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setWidth(100);
    options.setSplitLines(false);
    return new Yaml(options).dump(value);
  }

  @SuppressWarnings("unchecked")
  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> result = new TreeMap<>();
      ((Map<String, Object>) map).forEach((k, v) -> result.put(k, sorted(v)));
      return result;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(GoldenFiles::sorted).toList();
    }
    return value;
  }
}
