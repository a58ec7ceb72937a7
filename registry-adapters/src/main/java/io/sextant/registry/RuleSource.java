package io.sextant.registry;

/**
 * A source of routing rules (VirtualService, DestinationRule): files now, Kubernetes custom
 * resources later. Rules are small, so a change delivers the source's whole current {@link
 * RuleSet}.
 */
public interface RuleSource extends AutoCloseable {
  String name();

  /**
   * Begins watching; the first {@link RuleSet} is delivered before {@link #hasSynced()} is true.
   */
  void start(RuleListener listener);

  boolean hasSynced();

  /** The current rules. */
  RuleSet rules();

  SourceStatus status();

  @Override
  void close();
}
