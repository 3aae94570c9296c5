package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the safety-number vector of docs/PROTOCOL.md section 11 against {@link SafetyNumber}, with
 * the test vector certificates that section 8.1 publishes, all read from the document itself.
 */
class SafetyNumberVectorTest {
  private static final HexFormat HEX = HexFormat.of();
  private static String doc;
  private static String section11;
  private static VerifiedContact alice;
  private static VerifiedContact bob;

  @BeforeAll
  static void load() throws Exception {
    doc = Files.readString(Path.of("..", "docs", "PROTOCOL.md"), StandardCharsets.UTF_8);
    section11 = doc.substring(doc.indexOf("## 11. Client behaviour"));
    alice =
        new VerifiedContact(
            "alice", certificate("alice", "signing"), certificate("alice", "encryption"));
    bob =
        new VerifiedContact("bob", certificate("bob", "signing"), certificate("bob", "encryption"));
  }

  private static X509Certificate certificate(String user, String role) throws IOException {
    String keys = doc.substring(doc.indexOf("### 8.1 "), doc.indexOf("\n## 9."));
    int label = keys.indexOf("`test-vector-" + user + "-" + role + ".crt`:");
    assertThat(label).as("section 8.1 publishes %s's %s certificate", user, role).isNotNegative();
    int begin = keys.indexOf("-----BEGIN CERTIFICATE-----", label);
    int end =
        keys.indexOf("-----END CERTIFICATE-----", begin) + "-----END CERTIFICATE-----".length();
    return PemFiles.parseCertificate(keys.substring(begin, end) + "\n");
  }

  /** The hex value in the section 11 table row whose label is {@code row}. */
  private static String row(String row) {
    Matcher m =
        Pattern.compile("\\| " + Pattern.quote(row) + " \\| `([0-9a-f]{64})` \\|")
            .matcher(section11);
    assertThat(m.find()).as("section 11 has the row '%s'", row).isTrue();
    return m.group(1);
  }

  private static byte[] sha256(byte[]... parts) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    for (byte[] p : parts) {
      d.update(p);
    }
    return d.digest();
  }

  private static byte[] part(VerifiedContact c) throws Exception {
    return sha256(
        c.name().getBytes(StandardCharsets.UTF_8),
        new byte[] {0},
        sha256(c.signing().getPublicKey().getEncoded()),
        sha256(c.encryption().getPublicKey().getEncoded()));
  }

  @Test
  void safetyNumberOfTheVectorUsers_isTheNumberInTheDocument_eitherWayRound() {
    Matcher m =
        Pattern.compile("Safety number of alice and bob \\(either way round\\): `([0-9 ]{35})`")
            .matcher(section11);
    assertThat(m.find()).isTrue();

    assertThat(SafetyNumber.of(alice, bob))
        .isEqualTo(m.group(1))
        .isEqualTo(SafetyNumber.of(bob, alice));
  }

  @Test
  void intermediateValuesInTheDocument_followTheStatedComputation() throws Exception {
    assertThat(row("SHA-256(SPKI) of alice's signing key"))
        .isEqualTo(HEX.formatHex(sha256(alice.signing().getPublicKey().getEncoded())));
    assertThat(row("SHA-256(SPKI) of alice's encryption key"))
        .isEqualTo(HEX.formatHex(sha256(alice.encryption().getPublicKey().getEncoded())));
    assertThat(row("SHA-256(SPKI) of bob's signing key"))
        .isEqualTo(HEX.formatHex(sha256(bob.signing().getPublicKey().getEncoded())));
    assertThat(row("SHA-256(SPKI) of bob's encryption key"))
        .isEqualTo(HEX.formatHex(sha256(bob.encryption().getPublicKey().getEncoded())));
    assertThat(row("part(alice)")).isEqualTo(HEX.formatHex(part(alice)));
    assertThat(row("part(bob) = P1")).isEqualTo(HEX.formatHex(part(bob)));

    byte[] digest =
        sha256(
            "ztchat-safety-number-v1".getBytes(StandardCharsets.US_ASCII), part(bob), part(alice));
    assertThat(row("digest")).isEqualTo(HEX.formatHex(digest));
    String digits = String.format("%030d", new BigInteger(1, digest).mod(BigInteger.TEN.pow(30)));
    assertThat(SafetyNumber.of(alice, bob).replace(" ", "")).isEqualTo(digits);
  }
}
