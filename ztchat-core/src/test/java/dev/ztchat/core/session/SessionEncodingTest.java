package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The strict binary encodings of a signed prekey, a bundle and an initial-message header: every
 * truncation, a trailing byte, a wrong version, kind or length is refused.
 */
class SessionEncodingTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static DeviceKey alice;
  private static PrekeyStore store;
  private static PrekeyBundle bundle;
  private static InitialMessageHeader header;

  @BeforeAll
  static void setUp() throws Exception {
    DevicePki pki = new DevicePki();
    alice = pki.device("alice");
    DeviceKey bob = pki.device("bob");
    store = PrekeyStore.generate(bob, 1, Instant.parse("2026-01-01T00:00:00Z"), RANDOM);
    bundle =
        PrekeyBundle.of(bob.certificate(), store.signedPrekey(), store.oneTimePrekeys().get(0));
    header = SessionInitiator.start(alice, bundle, RANDOM).header();
  }

  interface Decoder {
    Object decode(byte[] b) throws MalformedSessionDataException;
  }

  private static void assertStrict(byte[] good, Decoder d) throws Exception {
    assertThat(d.decode(good)).isNotNull();
    for (int n = 0; n < good.length; n++) {
      byte[] cut = Arrays.copyOf(good, n);
      assertThatThrownBy(() -> d.decode(cut))
          .as("truncated to %d bytes", n)
          .isInstanceOf(MalformedSessionDataException.class);
    }
    assertThatThrownBy(() -> d.decode(Arrays.copyOf(good, good.length + 1)))
        .isInstanceOf(MalformedSessionDataException.class)
        .hasMessageContaining("extra bytes");
  }

  @Test
  void signedPrekey_roundTrips_andIsStrict() throws Exception {
    for (SignedPrekey p :
        new SignedPrekey[] {
          store.signedPrekey(), store.oneTimePrekeys().get(0), store.lastResortPrekey()
        }) {
      byte[] bytes = p.encode();
      assertThat(bytes).hasSize(1 + 4 + 2 + p.kind().keyLength() + 2 + p.signature().length);
      assertThat(SignedPrekey.decode(bytes)).isEqualTo(p);
      assertStrict(bytes, SignedPrekey::decode);
    }
    byte[] badKind = store.signedPrekey().encode();
    badKind[0] = 4;
    assertThatThrownBy(() -> SignedPrekey.decode(badKind))
        .isInstanceOf(MalformedSessionDataException.class);
    byte[] badLength = store.signedPrekey().encode();
    badLength[6] = 33; // a 33-byte X25519 key
    assertThatThrownBy(() -> SignedPrekey.decode(badLength))
        .isInstanceOf(MalformedSessionDataException.class);
  }

  @Test
  void bundle_roundTrips_andIsStrict() throws Exception {
    byte[] bytes = bundle.encode();
    assertThat(PrekeyBundle.decode(bytes)).isEqualTo(bundle);
    assertStrict(bytes, PrekeyBundle::decode);
    byte[] version = bytes.clone();
    version[0] = 1;
    assertThatThrownBy(() -> PrekeyBundle.decode(version))
        .isInstanceOf(MalformedSessionDataException.class);
    PrekeyBundle twoX25519 =
        PrekeyBundle.of(bundle.certificate(), store.signedPrekey(), store.signedPrekey());
    assertThatThrownBy(() -> PrekeyBundle.decode(twoX25519.encode()))
        .isInstanceOf(MalformedSessionDataException.class)
        .hasMessageContaining("kinds");
  }

  @Test
  void header_roundTrips_hasTheSpecifiedSize_andIsStrict() throws Exception {
    byte[] bytes = header.encode();
    assertThat(bytes).hasSize(1 + 32 + 4 + 1 + 4 + 1088 + 2 + header.signature().length);
    assertThat(InitialMessageHeader.decode(bytes)).isEqualTo(header);
    assertStrict(bytes, InitialMessageHeader::decode);
    byte[] version = bytes.clone();
    version[0] = 1;
    assertThatThrownBy(() -> InitialMessageHeader.decode(version))
        .isInstanceOf(MalformedSessionDataException.class);
    byte[] x25519Kind = bytes.clone();
    x25519Kind[37] = 1;
    assertThatThrownBy(() -> InitialMessageHeader.decode(x25519Kind))
        .isInstanceOf(MalformedSessionDataException.class);
  }
}
