package dev.ztchat.core.testing;

import dev.ztchat.core.pki.PemFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a test vector from the spec document that publishes it, so the tests check the bytes the
 * reader of the spec sees: a section from its heading to the next {@code ## } heading, and in it
 * the values written as {@code name = hex}, the hex wrapped onto following lines.
 */
public final class DocumentedVector {
  private static final Pattern VALUE = Pattern.compile("^([a-z0-9_]+) = ?([0-9a-f]*)$");
  private static final Pattern MORE = Pattern.compile("^([0-9a-f]+)$");

  private DocumentedVector() {}

  /** The text of {@code doc} from {@code heading} to the next second-level heading or the end. */
  public static String section(Path doc, String heading) throws IOException {
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int start = text.indexOf(heading);
    if (start < 0) {
      throw new IllegalStateException(doc + " has no '" + heading + "'");
    }
    int end = text.indexOf("\n## ", start + heading.length());
    return end < 0 ? text.substring(start) : text.substring(start, end);
  }

  /** The values of {@code section}, in the order written. */
  public static Map<String, String> values(String section) {
    Map<String, String> out = new LinkedHashMap<>();
    parseInto(section, out);
    return out;
  }

  /** Adds the values of {@code section} to {@code into}; a name written twice is an error. */
  public static void parseInto(String section, Map<String, String> into) {
    String current = null;
    for (String line : section.split("\n", -1)) {
      Matcher v = VALUE.matcher(line.stripTrailing());
      if (v.matches()) {
        current = v.group(1);
        if (into.put(current, v.group(2)) != null) {
          throw new IllegalStateException("the vectors name " + current + " twice");
        }
        continue;
      }
      Matcher m = MORE.matcher(line);
      if (current != null && m.matches()) {
        into.merge(current, m.group(1), String::concat);
      } else {
        current = null;
      }
    }
  }

  /** The certificate {@code section} publishes in PEM under the label {@code `fileName`:}. */
  public static X509Certificate certificate(String section, String fileName) throws IOException {
    int label = section.indexOf("`" + fileName + "`:");
    if (label < 0) {
      throw new IllegalStateException("the vector has no certificate " + fileName);
    }
    int begin = section.indexOf("-----BEGIN CERTIFICATE-----", label);
    int end = section.indexOf("-----END CERTIFICATE-----", begin) + 25;
    return PemFiles.parseCertificate(section.substring(begin, end) + "\n");
  }

  /** {@code length} bytes counting up from {@code from} (wrapping at 256): a vector's input. */
  public static byte[] counting(int from, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }

  /** The private key of the P-256 {@code keys} as vectors publish it: 32 bytes, big-endian. */
  public static byte[] scalar(KeyPair keys) {
    byte[] raw = ((ECPrivateKey) keys.getPrivate()).getS().toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }
}
