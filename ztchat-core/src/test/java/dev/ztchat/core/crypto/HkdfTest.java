package dev.ztchat.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;
import org.junit.jupiter.api.Test;

class HkdfTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void rfc5869TestCase1_givesItsOutput() {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);

    byte[] okm =
        Hkdf.derive(
            HEX.parseHex("000102030405060708090a0b0c"),
            ikm,
            HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"),
            42);

    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void rfc5869TestCase3_emptySaltMeansHashLengthZeros() {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);

    assertThat(HEX.formatHex(Hkdf.derive(new byte[0], ikm, new byte[0], 42)))
        .isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  void differentLabels_giveUnrelatedKeys() {
    byte[] ikm = new byte[32];

    assertThat(Hkdf.derive(new byte[0], ikm, new byte[] {1}, 32))
        .isNotEqualTo(Hkdf.derive(new byte[0], ikm, new byte[] {2}, 32));
  }

  @Test
  void anOutputLengthOutsideRfc5869_isRefused() {
    assertThatThrownBy(() -> Hkdf.derive(new byte[0], new byte[32], new byte[0], 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Hkdf.derive(new byte[0], new byte[32], new byte[0], 255 * 32 + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyOutputLengthAndInputShape_matchesTheJdksHkdf() throws Exception {
    KDF jdk = KDF.getInstance("HKDF-SHA256");
    Random random = new Random(5869);
    int[] lengths = {1, 31, 32, 33, 44, 64, 65, 100, 255 * 32};
    int[] inputs = {0, 1, 32, 64, 65, 200};
    for (int length : lengths) {
      for (int size : inputs) {
        byte[] salt = bytes(random, size);
        byte[] ikm = bytes(random, size);
        byte[] info = bytes(random, size);
        byte[] expected =
            jdk.deriveData(
                HKDFParameterSpec.ofExtract()
                    .addIKM(ikm)
                    .addSalt(size == 0 ? new byte[32] : salt)
                    .thenExpand(info, length));

        assertThat(Hkdf.derive(salt, ikm, info, length))
            .as("length %d, inputs of %d bytes", length, size)
            .isEqualTo(expected);
      }
    }
  }

  private static byte[] bytes(Random random, int n) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }
}
