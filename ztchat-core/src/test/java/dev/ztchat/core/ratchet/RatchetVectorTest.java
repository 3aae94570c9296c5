package dev.ztchat.core.ratchet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * The known-answer vector published in docs/v2/ratchet.md section 11: read from the document,
 * recomputed from its inputs, compared value by value; its ML-KEM values also cross-checked with
 * Bouncy Castle's independent implementation of FIPS 203.
 */
class RatchetVectorTest {
  /** Relative to the module directory, where Maven runs the tests. */
  static final Path SPEC = Path.of("..", "docs", "v2", "ratchet.md");

  private static final Pattern LINE = Pattern.compile("(?m)^([a-z0-9_.]+) = ([0-9a-f]+)$");

  /** The {@code name = hex} lines of section 11, in order. */
  static Map<String, String> published() throws IOException {
    String doc = Files.readString(SPEC, StandardCharsets.UTF_8);
    int start = doc.indexOf("\n## 11. Test vector");
    if (start < 0) {
      throw new IllegalStateException(SPEC + " has no section 11. Test vector");
    }
    int end = doc.indexOf("\n## ", start + 1);
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    Map<String, String> values = new LinkedHashMap<>();
    Matcher m = LINE.matcher(section);
    while (m.find()) {
      if (values.put(m.group(1), m.group(2)) != null) {
        throw new IllegalStateException(SPEC + " lists " + m.group(1) + " twice");
      }
    }
    return values;
  }

  @Test
  void publishedVector_isWhatTheRatchetComputesFromThePublishedInputs() throws Exception {
    Map<String, String> published = published();
    Map<String, String> inputs = new LinkedHashMap<>();
    for (String name : RatchetVector.INPUTS) {
      inputs.put(name, published.get(name));
    }
    Map<String, String> computed = RatchetVector.compute(inputs);
    assertThat(published.keySet()).containsExactlyElementsOf(computed.keySet());
    for (Map.Entry<String, String> e : computed.entrySet()) {
      assertThat(published.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void publishedMlKemValues_agreeWithBouncyCastleFromTheSameRandomInputs() throws Exception {
    Map<String, String> v = published();
    HexFormat hex = HexFormat.of();
    byte[] seed =
        hex.parseHex(v.get("step3.alice.kem.random_d") + v.get("step3.alice.kem.random_z"));
    MLKEMPrivateKeyParameters alice =
        new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, seed);
    assertThat(hex.formatHex(alice.getPublicKey()))
        .isEqualTo(v.get("step3.alice.kem.encapsulation_key"));
    SecretWithEncapsulation bob =
        MLKEMGenerator.internalGenerateEncapsulated(
            new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, alice.getPublicKey()),
            hex.parseHex(v.get("step4.bob.kem.random_m")));
    assertThat(hex.formatHex(bob.getEncapsulation())).isEqualTo(v.get("step4.bob.kem.ciphertext"));
    assertThat(hex.formatHex(bob.getSecret())).isEqualTo(v.get("step4.kem.shared_secret"));
    assertThat(hex.formatHex(new MLKEMExtractor(alice).extractSecret(bob.getEncapsulation())))
        .isEqualTo(v.get("step4.kem.shared_secret"));
  }

  @Test
  void publishedInputs_areTheGeneratorsLabelledHashes() throws Exception {
    Map<String, String> published = published();
    for (Map.Entry<String, String> e : RatchetVector.defaultInputs().entrySet()) {
      assertThat(published.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }
}
