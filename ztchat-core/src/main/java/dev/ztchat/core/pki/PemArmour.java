package dev.ztchat.core.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The PEM text encoding of RFC 7468: {@code -----BEGIN LABEL-----}, the DER bytes in base64, {@code
 * -----END LABEL-----}. Text before the BEGIN line is ignored (as OpenSSL does, so a certificate
 * file with a human-readable dump above it still reads); the base64 must be well formed.
 */
final class PemArmour {
  private static final int LINE = 64;
  private static final Base64.Encoder ENCODER =
      Base64.getMimeEncoder(LINE, "\n".getBytes(StandardCharsets.US_ASCII));

  private PemArmour() {}

  /** {@code der} as PEM text with {@code label}, base64 in lines of 64, each line ending in \n. */
  static String encode(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + ENCODER.encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  /**
   * The bytes of the first PEM block in {@code text}, if that block has {@code label}; empty if the
   * text holds no PEM block or its first block has another label.
   *
   * @param where names the text in errors (a file name)
   * @throws IOException if the block has no END line or its base64 is malformed
   */
  static Optional<byte[]> decode(String text, String label, String where) throws IOException {
    String[] lines = text.split("\r?\n", -1);
    int begin = 0;
    while (begin < lines.length && !isBoundary(lines[begin].strip(), "BEGIN")) {
      begin++;
    }
    if (begin == lines.length || !lines[begin].strip().equals("-----BEGIN " + label + "-----")) {
      return Optional.empty();
    }
    String end = "-----END " + label + "-----";
    StringBuilder base64 = new StringBuilder();
    for (int i = begin + 1; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.equals(end)) {
        try {
          return Optional.of(Base64.getDecoder().decode(base64.toString()));
        } catch (IllegalArgumentException e) {
          throw new IOException(where + ": the " + label + " block is not valid base64", e);
        }
      }
      base64.append(line);
    }
    throw new IOException(where + ": the " + label + " block has no END line (" + end + ")");
  }

  private static boolean isBoundary(String line, String kind) {
    return line.startsWith("-----" + kind + " ") && line.endsWith("-----");
  }
}
