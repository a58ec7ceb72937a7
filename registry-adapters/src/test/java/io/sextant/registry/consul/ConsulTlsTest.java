package io.sextant.registry.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.sextant.model.MeshService;
import io.sextant.registry.Poll;
import io.sextant.registry.RecordingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consul over HTTPS with client certificates, from PEM files, against the fake. */
class ConsulTlsTest {
  @TempDir static Path dir;
  private static TestCertificates certs;

  private FakeConsul consul;
  private final List<ConsulRegistry> registries = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() {
    certs = TestCertificates.create(dir);
  }

  @BeforeEach
  void startConsul() {
    consul = new FakeConsul(Optional.of(certs.serverContext()));
    consul.register(Registration.of("web", "web-1", "10.0.0.1", 8080));
  }

  @AfterEach
  void stop() {
    registries.forEach(ConsulRegistry::close);
    consul.close();
  }

  private ConsulRegistry start(String name, ConsulSettings.Tls tls) {
    ConsulRegistry registry =
        new ConsulRegistry(
            name, new TestSettings(consul.address()).datacenters(List.of("dc1")).tls(tls).build());
    registries.add(registry);
    registry.start(new RecordingListener());
    return registry;
  }

  @Test
  void caAndClientCertificateFromPemFiles_reachConsulOverHttps() {
    assertThat(consul.address()).startsWith("https://");

    ConsulRegistry registry =
        start(
            "mutual-tls",
            new ConsulSettings.Tls(
                Optional.of(certs.caFile),
                Optional.of(certs.clientCertFile),
                Optional.of(certs.clientKeyFile)));

    Poll.until(() -> assertThat(registry.hasSynced()).isTrue());
    assertThat(registry.services())
        .extracting(MeshService::hostname)
        .containsExactly("web.service.consul");
  }

  @Test
  void withoutTheClientCertificate_orWithoutTrustInTheCa_nothingIsRead_andTheErrorIsReported() {
    ConsulRegistry noClientCert =
        start(
            "no-client-cert",
            new ConsulSettings.Tls(Optional.of(certs.caFile), Optional.empty(), Optional.empty()));
    ConsulRegistry jvmTrustOnly =
        start(
            "jvm-trust",
            new ConsulSettings.Tls(Optional.empty(), Optional.empty(), Optional.empty()));

    for (ConsulRegistry registry : List.of(noClientCert, jvmTrustOnly)) {
      Poll.until(() -> assertThat(registry.status().errors()).isNotEmpty());
      assertThat(registry.hasSynced()).isFalse();
      assertThat(registry.services()).isEmpty();
    }
    assertThat(jvmTrustOnly.status().errors().get(0).message()).containsIgnoringCase("cert");
  }
}
