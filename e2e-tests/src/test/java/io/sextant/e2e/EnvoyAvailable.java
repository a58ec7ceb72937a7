package io.sextant.e2e;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class that needs a real Envoy when {@code ENVOY_BIN} names none, so its tests are
 * reported as skipped with the reason (an assumption failing in {@code BeforeAll} would hide them).
 */
final class EnvoyAvailable implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    StringBuilder whyNot = new StringBuilder();
    Optional<Path> bin = EnvoyProcess.binary(whyNot);
    return bin.isPresent()
        ? ConditionEvaluationResult.enabled("Envoy at " + bin.get())
        : ConditionEvaluationResult.disabled(whyNot.toString());
  }
}
