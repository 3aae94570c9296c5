package dev.ztchat.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class X25519Test {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void rfc7748Section6_1_vector_givesItsPublicKeysAndSharedSecret() throws Exception {
    X25519.KeyPair alice =
        X25519.fromPrivateKey(
            HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    X25519.KeyPair bob =
        X25519.fromPrivateKey(
            HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));

    assertThat(HEX.formatHex(alice.publicKey()))
        .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    assertThat(HEX.formatHex(bob.publicKey()))
        .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertThat(HEX.formatHex(X25519.agree(alice.privateKey(), bob.publicKey()))).isEqualTo(shared);
    assertThat(HEX.formatHex(X25519.agree(bob.privateKey(), alice.publicKey()))).isEqualTo(shared);
  }

  @Test
  void rawKeys_roundTripThroughTheJcaEncodings() {
    X25519.KeyPair pair = X25519.generate(new SecureRandom());

    assertThat(X25519.rawPublicKey(X25519.publicKey(pair.publicKey()))).isEqualTo(pair.publicKey());
    assertThat(X25519.fromPrivateKey(pair.rawPrivateKey())).isEqualTo(pair);
  }

  @Test
  void aLowOrderPeerKey_isRefused_ratherThanGivingTheAllZeroSecret() {
    X25519.KeyPair pair = X25519.generate(new SecureRandom());

    assertThatThrownBy(() -> X25519.agree(pair.privateKey(), new byte[32]))
        .isInstanceOf(InvalidKeyException.class);
    byte[] one = new byte[32];
    one[0] = 1;
    assertThatThrownBy(() -> X25519.agree(pair.privateKey(), one))
        .isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void aPeerKeyOfTheWrongLength_isRefused() {
    X25519.KeyPair pair = X25519.generate(new SecureRandom());

    assertThatThrownBy(() -> X25519.agree(pair.privateKey(), new byte[31]))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("32 bytes");
  }

  @Test
  void toString_showsNoPrivateKey() {
    X25519.KeyPair pair = X25519.generate(new SecureRandom());

    assertThat(pair.toString())
        .contains(HEX.formatHex(pair.publicKey()))
        .doesNotContain(HEX.formatHex(pair.rawPrivateKey()));
  }
}
