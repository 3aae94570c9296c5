package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenSslSpeedTest {
  private static final String PUBLIC_KEY =
      """
      Doing 3072 bits private rsa's for 1s: 452 3072 bits private RSA's in 1.00s
      Doing 256 bits sign ecdsa's for 1s: 42751 256 bits ECDSA signs in 1.00s
      version: 3.0.19
                        sign    verify    sign/s verify/s
      rsa 3072 bits 0.002212s 0.000040s    452.0  24788.1
                                    sign    verify    sign/s verify/s
       256 bits ecdsa (nistp256)   0.0000s   0.0001s  42751.4  15781.8
                                    op      op/s
       253 bits ecdh (X25519)   0.0000s  29867.6
      """;
  private static final String AES =
      """
      The 'numbers' are in 1000s of bytes per second processed.
      type            256 bytes
      AES-256-GCM     491713.62k
      """;

  @Test
  void parse_readsEveryRateOfOpenSsl30sSummaryTables() {
    OpenSslSpeed s = OpenSslSpeed.parse(PUBLIC_KEY, AES).orElseThrow();

    assertThat(s.rsaSigns()).isEqualTo(452.0);
    assertThat(s.rsaVerifies()).isEqualTo(24788.1);
    assertThat(s.ecdsaSigns()).isEqualTo(42751.4);
    assertThat(s.ecdsaVerifies()).isEqualTo(15781.8);
    assertThat(s.x25519()).isEqualTo(29867.6);
    assertThat(s.aesBytes()).isEqualTo(491_713_620.0);
  }

  @Test
  void parse_aFigureMissing_isEmpty() {
    String noX25519 = PUBLIC_KEY.replace("ecdh (X25519)", "");

    assertThat(OpenSslSpeed.parse(noX25519, AES)).isEmpty();
    assertThat(OpenSslSpeed.parse(PUBLIC_KEY, "")).isEmpty();
  }

  @Test
  void floors_addTheirPrimitivesAtTheMeasuredRates() {
    OpenSslSpeed s = new OpenSslSpeed(400, 20_000, 50_000, 20_000, 25_000, 256e6);

    // 2 × 2,500 + 2 × 50 µs of RSA, 2 × 1 µs of AES-GCM over 256 bytes
    assertThat(CryptoBench.v1FloorMicros(s)).isCloseTo(5_102, within());
    // 20 + 3 × 50 + 3 × 40 µs, + 100 + 50 µs of ML-KEM
    assertThat(CryptoBench.v2SetupFloorMicros(s, 10_000, 20_000)).isCloseTo(440, within());
    // 20 µs sign + 50 µs verify + 2 × 1 µs of AES-GCM
    assertThat(CryptoBench.v2MessageFloorMicros(s)).isCloseTo(72, within());
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }
}
