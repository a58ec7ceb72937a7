package io.sextant.config.yaml;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Splits YAML text into document nodes that still know their line and column. */
public final class YamlDocuments {
  private YamlDocuments() {}

  /**
   * Composes every document of {@code text}. Syntax errors are added to {@code problems} and end
   * the parse; documents that are empty (or only {@code null}) are skipped.
   */
  public static List<Node> compose(String text, Problems problems) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(50);
    options.setCodePointLimit(16 * 1024 * 1024);
    Yaml yaml = new Yaml(options);
    List<Node> documents = new ArrayList<>();
    try {
      for (Node node : yaml.composeAll(new StringReader(text))) {
        if (node == null || isNull(node)) {
          continue;
        }
        documents.add(node);
      }
    } catch (MarkedYAMLException e) {
      String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
      String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      problems.add(
          problems.locate(e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark()),
          "",
          "invalid YAML: " + problem + context);
    } catch (YAMLException e) {
      problems.add(problems.locate((org.yaml.snakeyaml.error.Mark) null), "", "invalid YAML: " + e);
    }
    return documents;
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }
}
