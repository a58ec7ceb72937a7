package io.sextant.config.yaml;

import io.sextant.config.ConfigError;
import io.sextant.config.SourceLocation;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects the errors found in one file, each located at the node it is about. */
public final class Problems {
  private final String file;
  private final List<ConfigError> errors = new ArrayList<>();

  public Problems(String file) {
    this.file = file;
  }

  public String file() {
    return file;
  }

  public SourceLocation locate(Node node) {
    return locate(node.getStartMark());
  }

  public SourceLocation locate(Mark mark) {
    if (mark == null) {
      return new SourceLocation(file, 1, 1);
    }
    return new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  public void add(Node node, String path, String message) {
    add(locate(node), path, message);
  }

  public void add(SourceLocation location, String path, String message) {
    errors.add(new ConfigError(location, path, message));
  }

  public boolean isEmpty() {
    return errors.isEmpty();
  }

  public int size() {
    return errors.size();
  }

  public List<ConfigError> errors() {
    return List.copyOf(errors);
  }
}
