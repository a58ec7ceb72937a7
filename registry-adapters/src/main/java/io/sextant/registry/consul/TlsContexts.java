package io.sextant.registry.consul;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} from the PEM files Consul's own tooling writes ({@code consul tls cert
 * create}): CA certificates, a client certificate, and its key as PKCS#8 ({@code BEGIN PRIVATE
 * KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}).
 * Nothing is written to disk. Encrypted keys are refused with a message saying so.
 */
final class TlsContexts {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final char[] NO_PASSWORD = new char[0];

  // Object identifiers, DER-encoded without tag and length.
  private static final byte[] RSA = {
    0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 1, 1, 1
  };
  private static final byte[] EC = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 2, 1};
  private static final byte[] ED25519 = {0x2b, 0x65, 0x70};
  private static final byte[] ED448 = {0x2b, 0x65, 0x71};

  private TlsContexts() {}

  /**
   * Trusts the CA file's certificates (the JVM's when there is none) and presents the client
   * certificate and key when both are given.
   */
  static SSLContext create(ConsulSettings.Tls tls) throws IOException, GeneralSecurityException {
    if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
      throw new IllegalArgumentException("tls.certFile and tls.keyFile must be given together");
    }
    TrustManager[] trust = null;
    if (tls.caFile().isPresent()) {
      KeyStore store = emptyStore();
      int n = 0;
      for (Certificate ca : certificates(tls.caFile().get())) {
        store.setCertificateEntry("ca-" + n++, ca);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      trust = tmf.getTrustManagers();
    }
    KeyManager[] keys = null;
    if (tls.certFile().isPresent()) {
      List<Certificate> chain = certificates(tls.certFile().get());
      KeyStore store = emptyStore();
      store.setKeyEntry(
          "client",
          privateKey(tls.keyFile().get()),
          NO_PASSWORD,
          chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, NO_PASSWORD);
      keys = kmf.getKeyManagers();
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys, trust, null);
    return context;
  }

  private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    return store;
  }

  /** Every {@code CERTIFICATE} block of a PEM file, in order. */
  static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<Certificate> certificates = new ArrayList<>();
    for (Block block : blocks(file)) {
      if (block.type().equals("CERTIFICATE")) {
        certificates.add(factory.generateCertificate(new ByteArrayInputStream(block.der())));
      }
    }
    if (certificates.isEmpty()) {
      throw new GeneralSecurityException(file + ": no PEM CERTIFICATE in it");
    }
    return certificates;
  }

  /** The first private key of a PEM file. */
  static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    try {
      return firstKey(file);
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException(file + ": malformed private key (" + e.getMessage() + ")");
    }
  }

  private static PrivateKey firstKey(Path file) throws IOException, GeneralSecurityException {
    for (Block block : blocks(file)) {
      boolean key = block.type().endsWith("PRIVATE KEY");
      if (key && (block.encrypted() || block.type().equals("ENCRYPTED PRIVATE KEY"))) {
        throw encrypted(file);
      }
      switch (block.type()) {
        case "PRIVATE KEY":
          return pkcs8(block.der(), file);
        case "RSA PRIVATE KEY":
          return pkcs8(
              Der.sequence(
                  Der.integer(BigInteger.ZERO),
                  Der.sequence(Der.oid(RSA), Der.NULL),
                  Der.octetString(block.der())),
              file);
        case "EC PRIVATE KEY":
          return pkcs8(
              Der.sequence(
                  Der.integer(BigInteger.ZERO),
                  Der.sequence(Der.oid(EC), Der.oid(curveOf(block.der(), file))),
                  Der.octetString(block.der())),
              file);
        default:
          break;
      }
    }
    throw new GeneralSecurityException(file + ": no PEM private key in it");
  }

  private static GeneralSecurityException encrypted(Path file) {
    return new GeneralSecurityException(
        file
            + ": the key is encrypted, which is not supported; decrypt it (openssl pkey -in KEY"
            + " -out KEY.plain) and protect the file by its permissions");
  }

  /** A PKCS#8 key, of the algorithm its AlgorithmIdentifier names. */
  private static PrivateKey pkcs8(byte[] der, Path file) throws GeneralSecurityException {
    Der.Value info = Der.read(der, 0);
    List<Der.Value> fields = info.children();
    if (fields.size() < 3 || fields.get(1).children().isEmpty()) {
      throw new GeneralSecurityException(file + ": not a PKCS#8 private key");
    }
    byte[] algorithm = fields.get(1).children().get(0).content();
    String name;
    if (java.util.Arrays.equals(algorithm, RSA)) {
      name = "RSA";
    } else if (java.util.Arrays.equals(algorithm, EC)) {
      name = "EC";
    } else if (java.util.Arrays.equals(algorithm, ED25519)
        || java.util.Arrays.equals(algorithm, ED448)) {
      name = "EdDSA";
    } else {
      throw new GeneralSecurityException(file + ": unsupported private key algorithm");
    }
    return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  /** The named curve in a SEC1 ECPrivateKey's {@code [0] parameters}. */
  private static byte[] curveOf(byte[] sec1, Path file) throws GeneralSecurityException {
    for (Der.Value field : Der.read(sec1, 0).children()) {
      if (field.tag() == 0xa0) {
        Der.Value oid = Der.read(field.content(), 0);
        if (oid.tag() == Der.OID) {
          return oid.content();
        }
      }
    }
    throw new GeneralSecurityException(
        file
            + ": the EC key does not name its curve; convert it to PKCS#8 (openssl pkcs8 -topk8"
            + " -nocrypt)");
  }

  private record Block(String type, byte[] der, boolean encrypted) {}

  private static List<Block> blocks(Path file) throws IOException, GeneralSecurityException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String body = m.group(2);
      boolean encrypted = body.contains("Proc-Type:") && body.contains("ENCRYPTED");
      if (encrypted) {
        blocks.add(new Block(m.group(1), new byte[0], true));
        continue;
      }
      try {
        blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body.strip()), false));
      } catch (IllegalArgumentException e) {
        throw new GeneralSecurityException(file + ": bad base64 in a PEM block", e);
      }
    }
    return blocks;
  }

  /** Just enough DER to read a key's algorithm and wrap a key in PKCS#8. */
  static final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    static final byte[] NULL = {0x05, 0x00};

    private Der() {}

    record Value(int tag, byte[] content) {
      /** The values inside a constructed value. */
      List<Value> children() {
        List<Value> children = new ArrayList<>();
        int offset = 0;
        while (offset < content.length) {
          Value child = read(content, offset);
          children.add(child);
          offset += child.encodedLength();
        }
        return children;
      }

      int encodedLength() {
        return 1 + lengthOfLength(content.length) + content.length;
      }
    }

    static Value read(byte[] der, int offset) {
      if (offset + 2 > der.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      int tag = der[offset] & 0xff;
      int first = der[offset + 1] & 0xff;
      int length;
      int start;
      if (first < 0x80) {
        length = first;
        start = offset + 2;
      } else {
        int n = first & 0x7f;
        if (n == 0 || n > 3 || offset + 2 + n > der.length) {
          throw new IllegalArgumentException("unsupported DER length");
        }
        length = 0;
        for (int i = 0; i < n; i++) {
          length = (length << 8) | (der[offset + 2 + i] & 0xff);
        }
        start = offset + 2 + n;
      }
      if (start + length > der.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      return new Value(tag, java.util.Arrays.copyOfRange(der, start, start + length));
    }

    static byte[] sequence(byte[]... parts) {
      int total = 0;
      for (byte[] p : parts) {
        total += p.length;
      }
      byte[] content = new byte[total];
      int at = 0;
      for (byte[] p : parts) {
        System.arraycopy(p, 0, content, at, p.length);
        at += p.length;
      }
      return encode(SEQUENCE, content);
    }

    static byte[] integer(BigInteger value) {
      return encode(INTEGER, value.toByteArray());
    }

    static byte[] oid(byte[] content) {
      return encode(OID, content);
    }

    static byte[] octetString(byte[] content) {
      return encode(OCTET_STRING, content);
    }

    static byte[] encode(int tag, byte[] content) {
      int n = lengthOfLength(content.length);
      byte[] out = new byte[1 + n + content.length];
      out[0] = (byte) tag;
      if (n == 1) {
        out[1] = (byte) content.length;
      } else {
        out[1] = (byte) (0x80 | (n - 1));
        for (int i = 0; i < n - 1; i++) {
          out[2 + i] = (byte) (content.length >>> (8 * (n - 2 - i)));
        }
      }
      System.arraycopy(content, 0, out, 1 + n, content.length);
      return out;
    }

    /** Bytes taken by the length field. */
    private static int lengthOfLength(int length) {
      if (length < 0x80) {
        return 1;
      }
      return length < 0x100 ? 2 : length < 0x10000 ? 3 : 4;
    }
  }
}
