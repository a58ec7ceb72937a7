package io.sextant.registry.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private keys in the PEM forms Consul users have. The fixtures are throwaway keys made with
 * OpenSSL 3: {@code openssl ecparam -name prime256v1 -genkey} (SEC1, with its EC PARAMETERS block),
 * {@code openssl genrsa -traditional 1024} (PKCS#1), and {@code openssl pkcs8 -topk8 -nocrypt} of
 * each.
 */
class TlsContextsTest {
  @TempDir Path dir;

  private static final String EC_SEC1 =
      """
      -----BEGIN EC PARAMETERS-----
      BggqhkjOPQMBBw==
      -----END EC PARAMETERS-----
      -----BEGIN EC PRIVATE KEY-----
      MHcCAQEEICqNXOpNquis/1ovbz+q/Nz+bWiWHF565VrP5Go3C13PoAoGCCqGSM49
      AwEHoUQDQgAEKfh5G3EbGMPpLv40Xk89SxFls+oe6e+6tUjWv4FZ4R+IKXASOkhn
      BFoNE5UNzZgcLmqAt64sYgUxrGQ3gaaW2w==
      -----END EC PRIVATE KEY-----
      """;
  private static final String EC_PKCS8 =
      """
      -----BEGIN PRIVATE KEY-----
      MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKo1c6k2q6Kz/Wi9v
      P6r83P5taJYcXnrlWs/kajcLXc+hRANCAAQp+HkbcRsYw+ku/jReTz1LEWWz6h7p
      77q1SNa/gVnhH4gpcBI6SGcEWg0TlQ3NmBwuaoC3rixiBTGsZDeBppbb
      -----END PRIVATE KEY-----
      """;
  private static final String RSA_PKCS1 =
      """
      -----BEGIN RSA PRIVATE KEY-----
      MIICXAIBAAKBgQDC7atxKDaVJNRKzYafhdd34OUH+WtEatJx8tIoe0rhR2LfiuOP
      KexVdshWKs9/Zv3nkmZf+tU6iYG+RhF0XpJVJjP7CCGa77va1E2BLKu5K/CjCucY
      /8bNL5uO8L/rvawc6zjBJBQBQ5vb/pqFDZxNtBPXtaJOrutn7RUszIkEVwIDAQAB
      AoGBAJpQYMrCFQPZFh7pucuLv1nttiKr95lAH72Jh4n4oPza8JEbeK6bd7boxAxC
      8+Vd+V9b7KPLBQbEWOvyuFqxi5FuV1TJ4j1/zZ52iCbTg0lp+/Ppt0rwSI+kLjzJ
      OQjYp1Q+NXIgqitxSv1tjcgcn6FU9nGAoCxg3XRyUHFUspGRAkEA8Z0bkveoHs80
      IQiY+EX316Qaz5Am6v6mFzKlZ97VtrtsY/rxdttpI9GUK2kbAunw+khLmLiUS9Ir
      a0v/AZ2EhQJBAM6I8VpsxX/g3ed4g0piUP1Fd38SRuxVSH8pZ0M834FCjfsUeue/
      /XyXg2EEkDYZkVUCPIwkm9a9MiBb8heZWisCQHpMUQnKTBIURcm2xV9eYz6G9X88
      80Yd0cqKO0lhdQICyrGs8w57rzOPQRXcJO0Lp4u4jnNmcsISRyIPnKufpNUCQG2g
      7RPFdtQZJVCvfGkoZLr7e6F8rx7VagTtkj1ze2PeUwT6av7GvyO6POdrh6zfx2/r
      Hv54lCvZA1l/1LJIGT8CQB1uj0jjHdkk74BxC7rATWBMn1RHi3W9lqpLSy86waqt
      cpJXLpHAMr9dDIAr307MNVSKZcqwJgju2Fyb2ui7akg=
      -----END RSA PRIVATE KEY-----
      """;
  private static final String RSA_PKCS8 =
      """
      -----BEGIN PRIVATE KEY-----
      MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAMLtq3EoNpUk1ErN
      hp+F13fg5Qf5a0Rq0nHy0ih7SuFHYt+K448p7FV2yFYqz39m/eeSZl/61TqJgb5G
      EXReklUmM/sIIZrvu9rUTYEsq7kr8KMK5xj/xs0vm47wv+u9rBzrOMEkFAFDm9v+
      moUNnE20E9e1ok6u62ftFSzMiQRXAgMBAAECgYEAmlBgysIVA9kWHum5y4u/We22
      Iqv3mUAfvYmHifig/NrwkRt4rpt3tujEDELz5V35X1vso8sFBsRY6/K4WrGLkW5X
      VMniPX/NnnaIJtODSWn78+m3SvBIj6QuPMk5CNinVD41ciCqK3FK/W2NyByfoVT2
      cYCgLGDddHJQcVSykZECQQDxnRuS96gezzQhCJj4RffXpBrPkCbq/qYXMqVn3tW2
      u2xj+vF222kj0ZQraRsC6fD6SEuYuJRL0itrS/8BnYSFAkEAzojxWmzFf+Dd53iD
      SmJQ/UV3fxJG7FVIfylnQzzfgUKN+xR657/9fJeDYQSQNhmRVQI8jCSb1r0yIFvy
      F5laKwJAekxRCcpMEhRFybbFX15jPob1fzzzRh3Ryoo7SWF1AgLKsazzDnuvM49B
      Fdwk7Quni7iOc2ZywhJHIg+cq5+k1QJAbaDtE8V21BklUK98aShkuvt7oXyvHtVq
      BO2SPXN7Y95TBPpq/sa/I7o852uHrN/Hb+se/niUK9kDWX/UskgZPwJAHW6PSOMd
      2STvgHELusBNYEyfVEeLdb2WqktLLzrBqq1yklcukcAyv10MgCvfTsw1VIplyrAm
      CO7YXJva6LtqSA==
      -----END PRIVATE KEY-----
      """;

  private PrivateKey read(String name, String pem) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, pem);
    return TlsContexts.privateKey(file);
  }

  @Test
  void ecKeyInSec1Form_isTheSameKeyAsInPkcs8() throws Exception {
    ECPrivateKey sec1 = (ECPrivateKey) read("ec.pem", EC_SEC1);
    ECPrivateKey pkcs8 = (ECPrivateKey) read("ec8.pem", EC_PKCS8);

    assertThat(sec1.getS()).isEqualTo(pkcs8.getS());
    assertThat(sec1.getParams().getOrder()).isEqualTo(pkcs8.getParams().getOrder());
  }

  @Test
  void rsaKeyInPkcs1Form_isTheSameKeyAsInPkcs8() throws Exception {
    RSAPrivateCrtKey pkcs1 = (RSAPrivateCrtKey) read("rsa.pem", RSA_PKCS1);
    RSAPrivateCrtKey pkcs8 = (RSAPrivateCrtKey) read("rsa8.pem", RSA_PKCS8);

    assertThat(pkcs1.getModulus()).isEqualTo(pkcs8.getModulus());
    assertThat(pkcs1.getPrivateExponent()).isEqualTo(pkcs8.getPrivateExponent());
  }

  @Test
  void encryptedKeys_andACertificateWithoutItsKey_areRefusedWithAReason() throws Exception {
    Path encrypted = dir.resolve("enc.pem");
    Files.writeString(
        encrypted,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsContexts.privateKey(encrypted)).hasMessageContaining("encrypted");

    Path legacy = dir.resolve("legacy.pem");
    Files.writeString(
        legacy,
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n"
            + "-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsContexts.privateKey(legacy)).hasMessageContaining("encrypted");

    assertThatThrownBy(
            () ->
                TlsContexts.create(
                    new ConsulSettings.Tls(
                        Optional.empty(), Optional.of(legacy), Optional.empty())))
        .hasMessageContaining("certFile and tls.keyFile");
  }
}
