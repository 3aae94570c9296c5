package dev.ztchat.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MlKem768Test {
  private final SecureRandom random = new SecureRandom();

  @Test
  void encapsulation_givesBothSidesTheSameSecret_inTheSizesOfFips203() throws Exception {
    KeyPair pair = MlKem768.generate(random);
    byte[] encapsulationKey = MlKem768.rawPublicKey(pair.getPublic());

    MlKem768.Encapsulated sent = MlKem768.encapsulate(encapsulationKey, random);

    assertThat(encapsulationKey).hasSize(MlKem768.ENCAPSULATION_KEY_BYTES);
    assertThat(sent.ciphertext()).hasSize(MlKem768.CIPHERTEXT_BYTES);
    assertThat(sent.sharedSecret()).hasSize(MlKem768.SHARED_SECRET_BYTES);
    assertThat(MlKem768.decapsulate(pair.getPrivate(), sent.ciphertext()))
        .isEqualTo(sent.sharedSecret());
  }

  @Test
  void aChangedCiphertext_givesAnUnrelatedSecret_notAnError() throws Exception {
    KeyPair pair = MlKem768.generate(random);
    MlKem768.Encapsulated sent =
        MlKem768.encapsulate(MlKem768.rawPublicKey(pair.getPublic()), random);
    byte[] changed = sent.ciphertext();
    changed[100] ^= 1;

    assertThat(MlKem768.decapsulate(pair.getPrivate(), changed))
        .hasSize(32)
        .isNotEqualTo(sent.sharedSecret());
  }

  @Test
  void theSameRandomness_givesTheSameKeysAndCiphertext() throws Exception {
    KeyPair first = MlKem768.generate(fixed(1));
    KeyPair second = MlKem768.generate(fixed(1));
    byte[] key = MlKem768.rawPublicKey(first.getPublic());

    assertThat(MlKem768.rawPublicKey(second.getPublic())).isEqualTo(key);
    assertThat(MlKem768.encapsulate(key, fixed(2))).isEqualTo(MlKem768.encapsulate(key, fixed(2)));
  }

  @Test
  void privateKeys_roundTripThroughPkcs8() throws Exception {
    KeyPair pair = MlKem768.generate(random);
    MlKem768.Encapsulated sent =
        MlKem768.encapsulate(MlKem768.rawPublicKey(pair.getPublic()), random);

    var restored = MlKem768.privateKey(MlKem768.encodedPrivateKey(pair.getPrivate()));

    assertThat(MlKem768.decapsulate(restored, sent.ciphertext())).isEqualTo(sent.sharedSecret());
  }

  @Test
  void keysAndCiphertextsOfTheWrongLength_areRefused() throws Exception {
    KeyPair pair = MlKem768.generate(random);

    assertThatThrownBy(() -> MlKem768.encapsulate(new byte[1183], random))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("1184");
    assertThatThrownBy(() -> MlKem768.decapsulate(pair.getPrivate(), new byte[1087]))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("1088");
    assertThatThrownBy(() -> MlKem768.privateKey(new byte[40]))
        .isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void anEncapsulationKeyFailingTheModulusCheck_isRefused() throws Exception {
    byte[] key = MlKem768.rawPublicKey(MlKem768.generate(random).getPublic());
    // FIPS 203 section 7.2: every 12-bit coefficient must be below q = 3329; 0xfff is not.
    key[0] = (byte) 0xff;
    key[1] = (byte) 0x0f;

    assertThatThrownBy(() -> MlKem768.encapsulate(key, random))
        .isInstanceOf(InvalidKeyException.class);
  }

  /** A SecureRandom that returns the same bytes for the same seed; for this test only. */
  private static SecureRandom fixed(int seed) {
    return new SecureRandom() {
      private static final long serialVersionUID = 1L;
      private int counter = seed;

      @Override
      public void nextBytes(byte[] bytes) {
        Arrays.fill(bytes, (byte) counter++);
      }
    };
  }
}
