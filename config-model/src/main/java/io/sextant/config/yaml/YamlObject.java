package io.sextant.config.yaml;

import io.sextant.config.SourceLocation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one YAML mapping field by field. Every accessor remembers the key it was asked for, so
 * {@link #finish()} can report the keys nobody asked for as unknown fields. Wrong types become
 * located errors in {@link Problems} and the accessor returns its "absent" value, so one pass
 * reports every problem in a document.
 */
public final class YamlObject {
  private final MappingNode node;
  private final String path;
  private final Problems problems;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  private final Set<String> known = new LinkedHashSet<>();

  private YamlObject(MappingNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
    for (NodeTuple tuple : node.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalar)) {
        problems.add(keyNode, path, "keys must be plain strings");
        continue;
      }
      if (entries.putIfAbsent(scalar.getValue(), tuple) != null) {
        problems.add(keyNode, child(scalar.getValue()), "duplicate key");
      }
    }
  }

  /** Wraps {@code node} when it is a mapping; otherwise reports what was expected. */
  public static Optional<YamlObject> of(Node node, String path, Problems problems) {
    if (node instanceof MappingNode mapping) {
      return Optional.of(new YamlObject(mapping, path, problems));
    }
    problems.add(node, path, "expected a mapping (key: value), got " + describe(node));
    return Optional.empty();
  }

  public String path() {
    return path;
  }

  public Problems problems() {
    return problems;
  }

  public SourceLocation location() {
    return problems.locate(node);
  }

  public String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    known.add(key);
    return !isMissing(key);
  }

  private boolean isMissing(String key) {
    NodeTuple tuple = entries.get(key);
    return tuple == null || YamlDocuments.isNull(tuple.getValueNode());
  }

  /** Adds a located error about {@code key} (or about this mapping when it is absent). */
  public void error(String key, String message) {
    NodeTuple tuple = entries.get(key);
    problems.add(
        tuple == null ? location() : problems.locate(tuple.getValueNode()), child(key), message);
  }

  public Optional<Node> node(String key) {
    known.add(key);
    NodeTuple tuple = entries.get(key);
    if (tuple == null || YamlDocuments.isNull(tuple.getValueNode())) {
      return Optional.empty();
    }
    return Optional.of(tuple.getValueNode());
  }

  public Optional<String> string(String key) {
    return node(key).flatMap(n -> scalar(n, child(key), "a string"));
  }

  public String string(String key, String fallback) {
    return string(key).orElse(fallback);
  }

  public String requiredString(String key) {
    boolean missing = isMissing(key);
    Optional<String> value = string(key);
    if (missing) {
      problems.add(location(), child(key), "missing required field '" + key + "'");
    } else if (value.isPresent() && value.get().isEmpty()) {
      error(key, "must not be empty");
    }
    return value.orElse("");
  }

  /**
   * An integer within {@code [min, max]}; numbers written as strings are accepted, as in proto3
   * JSON.
   */
  public Optional<Integer> integer(String key, int min, int max) {
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> text = scalar(value.get(), child(key), "an integer");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      long parsed = Long.parseLong(text.get().trim());
      if (parsed < min || parsed > max) {
        problems.add(
            value.get(),
            child(key),
            "expected an integer from " + min + " to " + max + ", got " + parsed);
        return Optional.empty();
      }
      return Optional.of((int) parsed);
    } catch (NumberFormatException e) {
      problems.add(value.get(), child(key), "expected an integer, got '" + text.get() + "'");
      return Optional.empty();
    }
  }

  /** A number (integer or decimal) within {@code [min, max]}. */
  public Optional<Double> decimal(String key, double min, double max) {
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> text = scalar(value.get(), child(key), "a number");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    double parsed;
    try {
      parsed = Double.parseDouble(text.get().trim());
    } catch (NumberFormatException e) {
      problems.add(value.get(), child(key), "expected a number, got '" + text.get() + "'");
      return Optional.empty();
    }
    if (Double.isNaN(parsed) || parsed < min || parsed > max) {
      problems.add(
          value.get(),
          child(key),
          "expected a number from " + plain(min) + " to " + plain(max) + ", got " + text.get());
      return Optional.empty();
    }
    return Optional.of(parsed);
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  public int requiredInteger(String key, int min, int max) {
    if (isMissing(key)) {
      known.add(key);
      problems.add(location(), child(key), "missing required field '" + key + "'");
      return 0;
    }
    return integer(key, min, max).orElse(0);
  }

  public Optional<Boolean> bool(String key) {
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> text = scalar(value.get(), child(key), "true or false");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    switch (text.get()) {
      case "true":
        return Optional.of(true);
      case "false":
        return Optional.of(false);
      default:
        problems.add(value.get(), child(key), "expected true or false, got '" + text.get() + "'");
        return Optional.empty();
    }
  }

  /** One of {@code allowed}, compared exactly, as Istio's enums are. */
  public Optional<String> oneOf(String key, List<String> allowed) {
    Optional<String> value = string(key);
    if (value.isPresent() && !allowed.contains(value.get())) {
      error(key, "expected one of " + String.join(", ", allowed) + ", got '" + value.get() + "'");
      return Optional.empty();
    }
    return value;
  }

  public <E extends Enum<E>> Optional<E> enumValue(String key, Class<E> type) {
    List<String> names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
    return oneOf(key, names).map(name -> Enum.valueOf(type, name));
  }

  public List<String> stringList(String key) {
    return stringItems(key).stream().map(StringItem::value).toList();
  }

  /** One string of a list, with where it is, for errors about that item alone. */
  public record StringItem(String value, SourceLocation location, String path) {}

  /** The strings of the list at {@code key}; items that are not strings are reported. */
  public List<StringItem> stringItems(String key) {
    List<StringItem> result = new ArrayList<>();
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return result;
    }
    if (!(value.get() instanceof SequenceNode sequence)) {
      problems.add(
          value.get(), child(key), "expected a list of strings, got " + describe(value.get()));
      return result;
    }
    int i = 0;
    for (Node item : sequence.getValue()) {
      String at = child(key) + "[" + i + "]";
      scalar(item, at, "a string")
          .ifPresent(v -> result.add(new StringItem(v, problems.locate(item), at)));
      i++;
    }
    return result;
  }

  /** The keys present, in document order (for maps whose keys are data, such as header names). */
  public List<String> keys() {
    return List.copyOf(entries.keySet());
  }

  /** A mapping of string keys to string values, in key order. */
  public Map<String, String> stringMap(String key) {
    Map<String, String> result = new TreeMap<>();
    node(key)
        .flatMap(n -> of(n, child(key), problems))
        .ifPresent(
            map -> {
              for (String k : map.entries.keySet()) {
                map.string(k).ifPresent(v -> result.put(k, v));
              }
            });
    return result;
  }

  /** A mapping of string keys to integers within {@code [min, max]}, in key order. */
  public Map<String, Integer> integerMap(String key, int min, int max) {
    Map<String, Integer> result = new TreeMap<>();
    node(key)
        .flatMap(n -> of(n, child(key), problems))
        .ifPresent(
            map -> {
              for (String k : map.entries.keySet()) {
                map.integer(k, min, max).ifPresent(v -> result.put(k, v));
              }
            });
    return result;
  }

  public Optional<YamlObject> object(String key) {
    return node(key).flatMap(n -> of(n, child(key), problems));
  }

  /** The nested mapping at {@code key}, or an error when it is missing. */
  public Optional<YamlObject> requiredObject(String key) {
    if (isMissing(key)) {
      known.add(key);
      problems.add(location(), child(key), "missing required field '" + key + "'");
      return Optional.empty();
    }
    return object(key);
  }

  /**
   * A list of mappings, each read by {@code reader}; items the reader returns {@code null} for
   * (after reporting why) are left out.
   */
  public <T> List<T> list(String key, Function<YamlObject, T> reader) {
    List<T> result = new ArrayList<>();
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return result;
    }
    if (!(value.get() instanceof SequenceNode sequence)) {
      problems.add(value.get(), child(key), "expected a list, got " + describe(value.get()));
      return result;
    }
    int i = 0;
    for (Node item : sequence.getValue()) {
      Optional<YamlObject> object = of(item, child(key) + "[" + i + "]", problems);
      if (object.isPresent()) {
        T read = reader.apply(object.get());
        if (read != null) {
          result.add(read);
        }
      }
      i++;
    }
    return result;
  }

  /** Accepts {@code keys} without reading them (e.g. Kubernetes bookkeeping such as status). */
  public void ignore(String... keys) {
    known.addAll(Arrays.asList(keys));
  }

  /**
   * Rejects Istio fields that exist in Istio's schema but that Sextant does not implement yet, so
   * they are never silently dropped.
   */
  public void unsupported(String... keys) {
    for (String key : keys) {
      known.add(key);
      if (entries.containsKey(key)) {
        error(key, "field '" + key + "' is valid in Istio but not supported by Sextant yet");
      }
    }
  }

  /** Reports every key that no accessor asked for. Call after reading all fields. */
  public void finish() {
    for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
      if (!known.contains(e.getKey())) {
        problems.add(
            e.getValue().getKeyNode(),
            child(e.getKey()),
            "unknown field '"
                + e.getKey()
                + "'"
                + suggestion(e.getKey())
                + "; expected one of: "
                + String.join(", ", known));
      }
    }
  }

  private String suggestion(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    List<String> close =
        known.stream()
            .filter(k -> k.toLowerCase(Locale.ROOT).equals(lower) || distance(k, key) <= 2)
            .collect(Collectors.toList());
    return close.isEmpty() ? "" : " (did you mean '" + close.get(0) + "'?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private Optional<String> scalar(Node n, String at, String expected) {
    if (n instanceof ScalarNode scalar && !Tag.NULL.equals(scalar.getTag())) {
      return Optional.of(scalar.getValue());
    }
    problems.add(n, at, "expected " + expected + ", got " + describe(n));
    return Optional.empty();
  }

  static String describe(Node n) {
    if (n instanceof MappingNode) {
      return "a mapping";
    }
    if (n instanceof SequenceNode) {
      return "a list";
    }
    if (n instanceof ScalarNode scalar) {
      return Tag.NULL.equals(scalar.getTag()) ? "null" : "'" + scalar.getValue() + "'";
    }
    return "an unexpected node";
  }
}
