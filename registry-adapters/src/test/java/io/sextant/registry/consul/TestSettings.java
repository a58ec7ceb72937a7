package io.sextant.registry.consul;

import io.sextant.model.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@link ConsulSettings} for tests: a 1 s {@code wait}, stale after 300 ms, and withers. */
final class TestSettings {
  private final String address;
  private Optional<String> token = Optional.empty();
  private Optional<ConsulSettings.Tls> tls = Optional.empty();
  private List<String> datacenters = List.of();
  private boolean includeWarning;
  private Optional<String> hostname = Optional.empty();
  private ConsulSettings.LocalityKeys localityKeys = ConsulSettings.LocalityKeys.DEFAULT;
  private Duration wait = Duration.ofSeconds(1);
  private Duration staleAfter = Duration.ofMillis(300);

  TestSettings(String address) {
    this.address = address;
  }

  TestSettings token(Optional<String> value) {
    token = value;
    return this;
  }

  TestSettings tls(ConsulSettings.Tls value) {
    tls = Optional.of(value);
    return this;
  }

  TestSettings datacenters(List<String> value) {
    datacenters = value;
    return this;
  }

  TestSettings includeWarning() {
    includeWarning = true;
    return this;
  }

  TestSettings hostname(String template) {
    hostname = Optional.of(template);
    return this;
  }

  TestSettings localityKeys(ConsulSettings.LocalityKeys value) {
    localityKeys = value;
    return this;
  }

  TestSettings staleAfter(Duration value) {
    staleAfter = value;
    return this;
  }

  ConsulSettings build() {
    return new ConsulSettings(
        address,
        token,
        tls,
        datacenters,
        includeWarning,
        hostname,
        "default",
        Protocol.TCP,
        localityKeys,
        wait,
        staleAfter);
  }
}
