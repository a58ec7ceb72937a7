package io.sextant.registry.kubernetes;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sextant.config.ConfigError;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the author of a rejected object why, where {@code kubectl describe} shows it: a Warning
 * Event with reason {@value #REASON} on the object. Events are a courtesy; failing to post one (no
 * RBAC permission, API server away) is logged once and changes nothing else.
 */
final class RejectionEvents {
  private static final Logger log = LoggerFactory.getLogger(RejectionEvents.class);
  static final String REASON = "SextantRejected";
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String source;
  private volatile boolean warned;

  RejectionEvents(KubernetesClient client, String source) {
    this.client = client;
    this.source = source;
  }

  void rejected(GenericKubernetesResource object, List<ConfigError> errors) {
    var meta = object.getMetadata();
    StringBuilder message = new StringBuilder("Sextant rejected this object and left it out: ");
    for (int i = 0; i < errors.size(); i++) {
      ConfigError e = errors.get(i);
      message.append(i == 0 ? "" : "; ").append(e.path().isEmpty() ? "" : e.path() + ": ");
      message.append(e.message());
    }
    String text =
        message.length() > MAX_MESSAGE
            ? message.substring(0, MAX_MESSAGE - 3) + "..."
            : message.toString();
    String now = Instant.now().toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(meta.getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(
                      meta.getName()
                          + "."
                          + Long.toHexString(ThreadLocalRandom.current().nextLong()))
                  .withNamespace(meta.getNamespace())
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(object.getApiVersion())
                  .withKind(object.getKind())
                  .withName(meta.getName())
                  .withNamespace(meta.getNamespace())
                  .withUid(meta.getUid())
                  .withResourceVersion(meta.getResourceVersion())
                  .endInvolvedObject()
                  .withType("Warning")
                  .withReason(REASON)
                  .withMessage(text)
                  .withNewSource()
                  .withComponent("sextant")
                  .endSource()
                  .withReportingComponent("sextant")
                  .withReportingInstance(source)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
    } catch (RuntimeException e) {
      if (!warned) {
        warned = true;
        log.warn(
            "{}: cannot post Events about rejected objects ({}); they are still logged and shown"
                + " on /debug/configz. Sextant needs 'create' on events (docs/kubernetes.md)",
            source,
            e.toString());
      }
    }
  }
}
