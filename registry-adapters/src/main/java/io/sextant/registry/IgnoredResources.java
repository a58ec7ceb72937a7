package io.sextant.registry;

import io.sextant.config.ConfigResource;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about resources a source reads past, once per file and kind: a rule in a registry's
 * directory is a misplaced file, not an error, and repeating the warning on every change would only
 * bury it.
 */
final class IgnoredResources {
  private static final Logger log = LoggerFactory.getLogger(IgnoredResources.class);

  private final String source;
  private final String advice;
  private final Set<String> warned = new HashSet<>();

  /**
   * @param source the source's name
   * @param advice what the source reads and where the ignored kinds belong
   */
  IgnoredResources(String source, String advice) {
    this.source = source;
    this.advice = advice;
  }

  synchronized void ignore(ConfigResource resource) {
    String kind = resource.meta().kind();
    String file = resource.meta().location().file();
    if (warned.add(kind + " in " + file)) {
      log.warn("{}: ignoring {} in {}: {}", source, kind, file, advice);
    }
  }
}
