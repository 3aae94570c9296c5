package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.BadPaddingException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The envelope's RSA operations give the same results whichever provider runs them: a signature or
 * a wrapped key made by BoringSSL is accepted by the JDK and the other way round, and both reject
 * the same bad inputs.
 */
class RsaProviderTest {
  private static KeyPair alice;
  private static KeyPair bob;
  private static final byte[] DATA = "header and ciphertext".getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(3072);
    alice = g.generateKeyPair();
    bob = g.generateKeyPair();
  }

  static List<RsaProvider> providers() {
    return Stream.concat(Stream.of(RsaProvider.JDK), RsaProvider.boringSsl().stream()).toList();
  }

  static Stream<Arguments> pairs() {
    return providers().stream().flatMap(a -> providers().stream().map(b -> Arguments.of(a, b)));
  }

  @Test
  void boringSslIsThePreferredProviderOnLinuxX64() {
    assumeTrue(
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64"));
    assertThat(RsaProvider.boringSsl()).isPresent();
    assertThat(RsaProvider.preferred()).isSameAs(RsaProvider.boringSsl().orElseThrow());
  }

  @ParameterizedTest(name = "signed by {0}, verified by {1}")
  @MethodSource("pairs")
  void aSignatureByOneProviderVerifiesWithTheOther(RsaProvider signer, RsaProvider verifier) {
    byte[] signature = EnvelopeAlgorithms.pssSign(signer, alice.getPrivate(), DATA);

    assertThat(EnvelopeAlgorithms.pssVerify(verifier, alice.getPublic(), DATA, signature)).isTrue();
    assertThat(EnvelopeAlgorithms.pssVerify(verifier, bob.getPublic(), DATA, signature)).isFalse();
    byte[] otherData = DATA.clone();
    otherData[0] ^= 1;
    assertThat(EnvelopeAlgorithms.pssVerify(verifier, alice.getPublic(), otherData, signature))
        .isFalse();
  }

  @ParameterizedTest(name = "wrapped by {0}, unwrapped by {1}")
  @MethodSource("pairs")
  void aKeyWrappedByOneProviderUnwrapsWithTheOther(RsaProvider wrapper, RsaProvider unwrapper)
      throws Exception {
    byte[] contentKey = EnvelopeAlgorithms.randomBytes(EnvelopeAlgorithms.CONTENT_KEY_BYTES);
    byte[] wrapped = EnvelopeAlgorithms.oaepWrap(wrapper, bob.getPublic(), contentKey);

    assertThat(EnvelopeAlgorithms.oaepUnwrap(unwrapper, bob.getPrivate(), wrapped))
        .isEqualTo(contentKey);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void truncatedOrOversizedOrGarbageSignaturesAreInvalidNotErrors(RsaProvider rsa) {
    byte[] signature = EnvelopeAlgorithms.pssSign(rsa, alice.getPrivate(), DATA);

    assertThat(
            EnvelopeAlgorithms.pssVerify(
                rsa, alice.getPublic(), DATA, Arrays.copyOf(signature, 100)))
        .isFalse();
    assertThat(
            EnvelopeAlgorithms.pssVerify(
                rsa, alice.getPublic(), DATA, Arrays.copyOf(signature, 500)))
        .isFalse();
    assertThat(EnvelopeAlgorithms.pssVerify(rsa, alice.getPublic(), DATA, new byte[0])).isFalse();
    byte[] flipped = signature.clone();
    flipped[200] ^= 0x40;
    assertThat(EnvelopeAlgorithms.pssVerify(rsa, alice.getPublic(), DATA, flipped)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("providers")
  void everyUnwrapFailureIsTheSameBadPadding(RsaProvider rsa) {
    byte[] wrapped =
        EnvelopeAlgorithms.oaepWrap(
            rsa, bob.getPublic(), new byte[EnvelopeAlgorithms.CONTENT_KEY_BYTES]);
    byte[] flipped = wrapped.clone();
    flipped[10] ^= 1;
    byte[] wrongLength = EnvelopeAlgorithms.oaepWrap(rsa, bob.getPublic(), new byte[16]);

    for (byte[] bad : List.of(flipped, Arrays.copyOf(wrapped, 200), new byte[0], wrongLength)) {
      assertThatThrownBy(() -> EnvelopeAlgorithms.oaepUnwrap(rsa, bob.getPrivate(), bad))
          .isInstanceOf(BadPaddingException.class)
          .hasMessage("unwrap failed");
    }
    assertThatThrownBy(() -> EnvelopeAlgorithms.oaepUnwrap(rsa, alice.getPrivate(), wrapped))
        .isInstanceOf(BadPaddingException.class)
        .hasMessage("unwrap failed");
  }

  @Test
  void aKeyIsConvertedOnceAndReused() {
    RsaProvider rsa = RsaProvider.preferred();

    assertThat(rsa.bind(alice.getPrivate()).key()).isSameAs(rsa.bind(alice.getPrivate()).key());
  }
}
