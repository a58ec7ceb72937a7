package io.sextant.registry.consul;

import java.util.Optional;

/**
 * The Consul a test registers instances in: a real agent when {@code CONSUL_HTTP_ADDR} is set (with
 * {@code CONSUL_HTTP_TOKEN} if it needs one), otherwise a {@link FakeConsul} on loopback.
 */
interface ConsulBackend extends AutoCloseable {
  static ConsulBackend fromEnvironment() {
    String address = System.getenv("CONSUL_HTTP_ADDR");
    if (address == null || address.isBlank()) {
      return new FakeConsulBackend();
    }
    return new RealConsulBackend(address, Optional.ofNullable(System.getenv("CONSUL_HTTP_TOKEN")));
  }

  /** The agent's HTTP address, as the registry is configured with it. */
  String address();

  /** The ACL token the registry needs, if any. */
  Optional<String> token();

  /** The agent's own datacenter. */
  String datacenter();

  /**
   * A service, instance or node name for this test run: unique on a shared real Consul, so runs do
   * not see each other's instances; {@code base} itself on the fake.
   */
  String name(String base);

  /** Registers or replaces an instance and its checks. */
  void register(Registration r);

  void deregister(Registration r);

  /** The fake, for tests that stop it, add datacenters to it, or read the requests it saw. */
  Optional<FakeConsul> fake();

  /** Removes what the test registered and stops the fake. */
  @Override
  void close();
}
