package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import org.junit.jupiter.api.Test;

/**
 * Whichever provider computes the device keys' ECDSA (BoringSSL when it loads), its signatures are
 * the standard ones: the JDK alone accepts them, and it accepts the JDK's.
 */
class EcdsaProviderTest {
  private static final byte[] DATA = "an envelope's signed bytes".getBytes(StandardCharsets.UTF_8);
  private final SecureRandom random = new SecureRandom();

  @Test
  void signaturesOfTheProviderInUse_verifyWithTheJdkAlone_andTheJdksVerifyWithIt()
      throws Exception {
    KeyPair pair = dev.ztchat.core.pki.KeyType.EC.generate(256);
    byte[] ours = EcdsaProvider.sign(EcdsaProvider.bind(pair.getPrivate()), DATA, random);
    Signature jdk = Signature.getInstance("SHA256withECDSA");
    jdk.initVerify(pair.getPublic());
    jdk.update(DATA);
    assertThat(jdk.verify(ours)).as(EcdsaProvider.providerName()).isTrue();

    Signature jdkSign = Signature.getInstance("SHA256withECDSA");
    jdkSign.initSign(pair.getPrivate(), random);
    jdkSign.update(DATA);
    byte[] theirs = jdkSign.sign();
    assertThat(EcdsaProvider.verify(pair.getPublic(), DATA, theirs)).isTrue();
  }

  @Test
  void aChangedMessage_orAnotherKeysSignature_isRefused() throws Exception {
    KeyPair pair = dev.ztchat.core.pki.KeyType.EC.generate(256);
    KeyPair other = dev.ztchat.core.pki.KeyType.EC.generate(256);
    byte[] signature = EcdsaProvider.sign(EcdsaProvider.bind(pair.getPrivate()), DATA, random);
    byte[] changed = DATA.clone();
    changed[0] ^= 1;

    assertThat(EcdsaProvider.verify(pair.getPublic(), changed, signature)).isFalse();
    assertThat(EcdsaProvider.verify(other.getPublic(), DATA, signature)).isFalse();
    assertThat(EcdsaProvider.verify(pair.getPublic(), DATA, signature)).isTrue();
  }
}
