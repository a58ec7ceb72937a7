package io.sextant.registry.zookeeper;

import java.util.List;
import java.util.Optional;

/** Where a layout keeps its instances in the tree, and how one instance node is read. */
sealed interface TreeLayout permits CuratorLayout, DubboLayout {

  static TreeLayout of(ZooKeeperSettings settings) {
    String root = root(settings);
    return switch (settings.layout()) {
      case CURATOR -> new CuratorLayout(root, settings.defaultProtocol());
      case DUBBO -> new DubboLayout(root, settings.defaultProtocol());
    };
  }

  /** The base path in effect, without a trailing slash (ZooKeeper paths have none). */
  static String root(ZooKeeperSettings settings) {
    String root = settings.root();
    if (!root.startsWith("/")) {
      throw new IllegalArgumentException("basePath must start with '/': " + root);
    }
    while (root.length() > 1 && root.endsWith("/")) {
      root = root.substring(0, root.length() - 1);
    }
    return root;
  }

  /** The name of the service whose instance is the node at {@code path}; empty for other nodes. */
  Optional<String> serviceOf(String path);

  /**
   * Reads the instance node at {@code path}.
   *
   * @throws IllegalArgumentException saying what is wrong, when the node cannot be read
   */
  Reading read(String path, byte[] data);

  /**
   * What an instance node holds.
   *
   * @param instance the instance
   * @param note for the operator, when part of the node was not understood and a default was used
   */
  record Reading(Instance instance, Optional<String> note) {}

  /** The segments of {@code path} below {@code root}; empty when the path is not below it. */
  static List<String> segmentsBelow(String root, String path) {
    String prefix = root.endsWith("/") ? root : root + "/";
    if (!path.startsWith(prefix) || path.length() == prefix.length()) {
      return List.of();
    }
    return List.of(path.substring(prefix.length()).split("/", -1));
  }

  /** The last segment of a path: the node's own name. */
  static String nodeName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
