package io.sextant.registry;

/** Receives a rule source's complete current rules after every change. Must not block. */
@FunctionalInterface
public interface RuleListener {
  void onRules(String source, RuleSet rules);
}
