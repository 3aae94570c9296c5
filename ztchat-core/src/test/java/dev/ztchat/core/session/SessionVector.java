package dev.ztchat.core.session;

import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.testing.DocumentedVector;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.HexFormat;
import java.util.Map;

/**
 * The session-setup test vector, read from section 9 of docs/v2/session-setup.md itself (the {@code
 * name = hex} lines of its code blocks, and the PEM certificates after a {@code `name`:} line), so
 * that what the specification publishes is what is tested. These keys are published: TEST VECTOR
 * keys that must never protect anything.
 */
final class SessionVector {
  static final Path DOC = Path.of("..", "docs", "v2", "session-setup.md");
  static final String SECTION = "## 9. Test vector";

  private final String section;
  private final Map<String, String> values;

  private SessionVector(String section, Map<String, String> values) {
    this.section = section;
    this.values = values;
  }

  static SessionVector load() throws IOException {
    String section = DocumentedVector.section(DOC, SECTION);
    return new SessionVector(section, DocumentedVector.values(section));
  }

  String string(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalStateException(DOC + " section 9 has no value " + name);
    }
    return v;
  }

  byte[] hex(String name) {
    return HexFormat.of().parseHex(string(name));
  }

  long number(String name) {
    return Long.parseLong(string(name));
  }

  X509Certificate certificate(String fileName) throws IOException {
    int label = section.indexOf("`" + fileName + "`:");
    if (label < 0) {
      throw new IllegalStateException(DOC + " section 9 has no block for " + fileName);
    }
    int begin = section.indexOf("-----BEGIN CERTIFICATE-----", label);
    int end = section.indexOf("-----END CERTIFICATE-----", begin) + 25;
    return PemFiles.parseCertificate(section.substring(begin, end) + "\n");
  }

  /** The P-256 private key whose scalar is the 32-byte value {@code name}. */
  PrivateKey p256PrivateKey(String name) throws GeneralSecurityException {
    AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
    p.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
    return KeyFactory.getInstance("EC")
        .generatePrivate(new ECPrivateKeySpec(new BigInteger(1, hex(name)), spec));
  }

  /** {@code name = hex}, the hex wrapped at 64 characters, as section 9 writes values. */
  static String line(String name, byte[] value) {
    return line(name, HexFormat.of().formatHex(value));
  }

  static String line(String name, String value) {
    StringBuilder out = new StringBuilder(name).append(" = ");
    if (value.length() <= 64) {
      return out.append(value).append('\n').toString();
    }
    out.append('\n');
    for (int i = 0; i < value.length(); i += 64) {
      out.append(value, i, Math.min(value.length(), i + 64)).append('\n');
    }
    return out.toString();
  }
}
