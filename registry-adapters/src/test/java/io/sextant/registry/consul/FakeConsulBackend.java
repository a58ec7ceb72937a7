package io.sextant.registry.consul;

import java.util.Optional;

/** Tests against {@link FakeConsul}. */
final class FakeConsulBackend implements ConsulBackend {
  private final FakeConsul fake = new FakeConsul();

  @Override
  public String address() {
    return fake.address();
  }

  @Override
  public Optional<String> token() {
    return Optional.empty();
  }

  @Override
  public String datacenter() {
    return "dc1";
  }

  @Override
  public String name(String base) {
    return base;
  }

  @Override
  public void register(Registration r) {
    fake.register(r);
  }

  @Override
  public void deregister(Registration r) {
    fake.deregister(r);
  }

  @Override
  public Optional<FakeConsul> fake() {
    return Optional.of(fake);
  }

  @Override
  public void close() {
    fake.close();
  }
}
