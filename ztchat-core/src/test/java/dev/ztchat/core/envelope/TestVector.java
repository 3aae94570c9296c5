package dev.ztchat.core.envelope;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.UserIdentity;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The known-answer test vector of docs/PROTOCOL.md section 8: the values, from {@code
 * src/test/resources/vectors/test-vector-envelope.properties} (checked against the document by
 * {@link TestVectorTest}), and the fixed RSA-2048 keys and certificates of alice (sender), bob
 * (recipient) and the vector CA, read from the PEM blocks of section 8.1 of the document itself, so
 * that what the specification publishes is what is tested. Warning: these keys are published. They
 * are TEST VECTOR keys and must never protect anything.
 */
final class TestVector {
  /** Relative to the module directory, where Maven runs the tests. */
  static final Path DIR = Path.of("src", "test", "resources", "vectors");

  static final Path VALUES = DIR.resolve("test-vector-envelope.properties");

  static final Path PROTOCOL = Path.of("..", "docs", "PROTOCOL.md");

  private static final HexFormat HEX = HexFormat.of();

  private final Properties values;

  private TestVector(Properties values) {
    this.values = values;
  }

  static TestVector load() throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(VALUES, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return new TestVector(p);
  }

  String string(String name) {
    String v = values.getProperty(name);
    if (v == null) {
      throw new IllegalStateException(VALUES + " has no " + name);
    }
    return v;
  }

  byte[] hex(String name) {
    return HEX.parseHex(string(name));
  }

  long number(String name) {
    return Long.parseLong(string(name));
  }

  /** The text of section 8 (with 8.1) of docs/PROTOCOL.md. */
  static String section8() throws IOException {
    String doc = Files.readString(PROTOCOL, StandardCharsets.UTF_8);
    int start = doc.indexOf("## 8. Test vector");
    int end = doc.indexOf("\n## 9.", start);
    if (start < 0 || end < 0) {
      throw new IllegalStateException(PROTOCOL + " has no section 8 followed by section 9");
    }
    return doc.substring(start, end);
  }

  /**
   * The PEM block that follows the line naming {@code fileName} in section 8.1, e.g. {@code
   * test-vector-bob-encryption.key}.
   */
  static String pem(String fileName) throws IOException {
    String section = section8();
    int keys = section.indexOf("### 8.1 ");
    int label = keys < 0 ? -1 : section.indexOf("`" + fileName + "`:", keys);
    if (label < 0) {
      throw new IllegalStateException(PROTOCOL + " section 8.1 has no block for " + fileName);
    }
    int begin = section.indexOf("-----BEGIN ", label);
    int endMarker = section.indexOf("-----END ", begin);
    int end = section.indexOf("-----", endMarker + "-----END ".length()) + "-----".length();
    return section.substring(begin, end) + "\n";
  }

  static String fileName(String user, String role, String ext) {
    return "test-vector-" + user + "-" + role + "." + ext;
  }

  static X509Certificate caCertificate() throws IOException {
    return PemFiles.parseCertificate(pem("test-vector-ca.crt"));
  }

  static X509Certificate certificate(String user, String role) throws IOException {
    return PemFiles.parseCertificate(pem(fileName(user, role, "crt")));
  }

  static UserIdentity user(String name) throws IOException {
    return new UserIdentity(name, credential(name, "signing"), credential(name, "encryption"));
  }

  private static Credential credential(String name, String role) throws IOException {
    return new Credential(certificate(name, role), privateKey(pem(fileName(name, role, "key"))));
  }

  private static PrivateKey privateKey(String pem) throws IOException {
    String body =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("not a PKCS#8 RSA private key: " + e.getMessage(), e);
    }
  }
}
