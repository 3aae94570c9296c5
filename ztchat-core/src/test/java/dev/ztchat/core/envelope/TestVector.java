package dev.ztchat.core.envelope;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.UserIdentity;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The known-answer test vector of docs/PROTOCOL.md section 8, as checked in under {@code
 * src/test/resources/vectors/}: fixed RSA-2048 keys for alice (sender) and bob (recipient), their
 * certificates, the CA certificate, and the vector values. Warning: these keys are published. They
 * are TEST VECTOR keys and must never protect anything.
 */
final class TestVector {
  /** Relative to the module directory, where Maven runs the tests. */
  static final Path DIR = Path.of("src", "test", "resources", "vectors");

  static final Path VALUES = DIR.resolve("test-vector-envelope.properties");

  /** The first lines of every checked-in vector key and certificate file. */
  static final String WARNING =
      "TEST VECTOR KEY MATERIAL - published in docs/PROTOCOL.md section 8.\n"
          + "Anyone can read this file: NEVER use it to protect anything.\n";

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

  static Path file(String user, String role, String ext) {
    return DIR.resolve("test-vector-" + user + "-" + role + "." + ext);
  }

  static X509Certificate caCertificate() throws IOException {
    return PemFiles.readCertificate(DIR.resolve("test-vector-ca.crt"));
  }

  static UserIdentity user(String name) throws IOException {
    return new UserIdentity(name, credential(name, "signing"), credential(name, "encryption"));
  }

  private static Credential credential(String name, String role) throws IOException {
    return new Credential(
        PemFiles.readCertificate(file(name, role, "crt")),
        PemFiles.readPrivateKey(file(name, role, "key")));
  }
}
