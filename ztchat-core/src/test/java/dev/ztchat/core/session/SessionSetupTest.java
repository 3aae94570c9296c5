package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.session.SessionSetupException.Reason;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Session setup end to end: both sides derive the same SK and AD, and every check fails closed. */
class SessionSetupTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static DevicePki pki;
  private static DeviceKey alice;
  private static DeviceKey bob;
  private static DeviceKey mallory;

  private final PrekeyStore bobStore = PrekeyStore.generate(bob, 3, NOW, RANDOM);

  @BeforeAll
  static void devices() throws Exception {
    pki = new DevicePki();
    alice = pki.device("alice");
    bob = pki.device("bob");
    mallory = pki.device("mallory");
  }

  private PrekeyBundle bundle(SignedPrekey kem) {
    return PrekeyBundle.of(bob.certificate(), bobStore.signedPrekey(), kem);
  }

  private PrekeyBundle oneTimeBundle() {
    return bundle(bobStore.oneTimePrekeys().get(0));
  }

  private static void assertReason(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            SessionSetupException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  @Test
  void bothSides_deriveTheSameSkAndAd_andTheRatchetStartsFromTheSignedPrekey() throws Exception {
    InitiatorStart sent = SessionInitiator.start(alice, oneTimeBundle(), RANDOM);
    InitialMessageHeader received = InitialMessageHeader.decode(sent.header().encode());

    SessionResponder.Accepted accepted =
        SessionResponder.accept(bobStore, bob, alice.certificate(), received);

    ResponderStart start = accepted.start();
    assertThat(start.sk()).hasSize(32).isEqualTo(sent.sk());
    assertThat(start.ad()).hasSize(32).isEqualTo(sent.ad());
    assertThat(sent.responderRatchetKey())
        .isEqualTo(bobStore.signedPrekey().publicKey())
        .isEqualTo(start.ratchetKeyPair().publicKey());
    assertThat(accepted.kemPrekeyKind()).isEqualTo(PrekeyKind.ONE_TIME_ML_KEM_768);
  }

  @Test
  void oneTimePrekey_isDeletedOnlyOnCommit_andCannotOpenASecondSession() throws Exception {
    PrekeyBundle b = oneTimeBundle();
    long id = b.kemPrekey().id();
    InitiatorStart sent = SessionInitiator.start(alice, b, RANDOM);

    SessionResponder.Accepted first =
        SessionResponder.accept(bobStore, bob, alice.certificate(), sent.header());
    assertThat(bobStore.oneTimePrekeys()).extracting(SignedPrekey::id).contains(id);
    // Accepting again before the commit (e.g. the first message then failed its checks) works.
    SessionResponder.Accepted again =
        SessionResponder.accept(bobStore, bob, alice.certificate(), sent.header());

    first.commit();

    assertThat(bobStore.oneTimePrekeys()).extracting(SignedPrekey::id).doesNotContain(id);
    assertReason(again::commit, Reason.UNKNOWN_PREKEY);
    assertReason(
        () -> SessionResponder.accept(bobStore, bob, alice.certificate(), sent.header()),
        Reason.UNKNOWN_PREKEY);
  }

  @Test
  void lastResortPrekey_opensSessions_andIsKept() throws Exception {
    for (int i = 0; i < 2; i++) {
      InitiatorStart sent =
          SessionInitiator.start(alice, bundle(bobStore.lastResortPrekey()), RANDOM);
      SessionResponder.Accepted accepted =
          SessionResponder.accept(bobStore, bob, alice.certificate(), sent.header());
      accepted.commit();
      assertThat(accepted.start().sk()).isEqualTo(sent.sk());
      assertThat(accepted.kemPrekeyKind()).isEqualTo(PrekeyKind.LAST_RESORT_ML_KEM_768);
    }
    assertThat(bobStore.oneTimePrekeys()).hasSize(3);
  }

  @Test
  void previousSignedPrekey_opensForTheGrace_thenIsUnknown() throws Exception {
    InitiatorStart sent = SessionInitiator.start(alice, oneTimeBundle(), RANDOM);
    assertThat(bobStore.rotationDue(NOW.plus(PrekeyStore.SIGNED_PREKEY_ROTATION))).isTrue();
    Instant rotated = NOW.plus(Duration.ofDays(1));
    bobStore.rotateSignedPrekey(bob, rotated, RANDOM);

    bobStore.dropExpired(rotated.plus(PrekeyStore.SIGNED_PREKEY_GRACE).minusSeconds(1));
    assertThat(SessionResponder.accept(bobStore, bob, alice.certificate(), sent.header()).start())
        .satisfies(s -> assertThat(s.sk()).isEqualTo(sent.sk()));

    bobStore.dropExpired(rotated.plus(PrekeyStore.SIGNED_PREKEY_GRACE));
    assertReason(
        () -> SessionResponder.accept(bobStore, bob, alice.certificate(), sent.header()),
        Reason.UNKNOWN_PREKEY);
  }

  @Test
  void bundleWithAPrekeySignedByAnotherDevice_isRefused() {
    PrekeyStore mallorys = PrekeyStore.generate(mallory, 1, NOW, RANDOM);
    PrekeyBundle swappedSpk =
        PrekeyBundle.of(bob.certificate(), mallorys.signedPrekey(), bobStore.lastResortPrekey());
    PrekeyBundle swappedKem = bundle(mallorys.oneTimePrekeys().get(0));

    assertReason(
        () -> SessionInitiator.start(alice, swappedSpk, RANDOM), Reason.BAD_PREKEY_SIGNATURE);
    assertReason(
        () -> SessionInitiator.start(alice, swappedKem, RANDOM), Reason.BAD_PREKEY_SIGNATURE);
  }

  @Test
  void prekeyRelabelled_asAnotherKindOrId_failsItsSignature() {
    SignedPrekey ot = bobStore.oneTimePrekeys().get(0);
    SignedPrekey asLastResort =
        new SignedPrekey(
            PrekeyKind.LAST_RESORT_ML_KEM_768, ot.id(), ot.publicKey(), ot.signature());
    SignedPrekey otherId = new SignedPrekey(ot.kind(), ot.id() + 1, ot.publicKey(), ot.signature());

    assertThat(ot.verifies(bob.certificate())).isTrue();
    assertThat(asLastResort.verifies(bob.certificate())).isFalse();
    assertThat(otherId.verifies(bob.certificate())).isFalse();
    assertReason(
        () -> SessionInitiator.start(alice, bundle(asLastResort), RANDOM),
        Reason.BAD_PREKEY_SIGNATURE);
  }

  @Test
  void bundleWithAnRsaCertificate_isRefused() {
    PrekeyBundle rsa =
        PrekeyBundle.of(
            pki.rsaCertificate("bob"), bobStore.signedPrekey(), bobStore.lastResortPrekey());

    assertReason(() -> SessionInitiator.start(alice, rsa, RANDOM), Reason.BAD_DEVICE_KEY);
  }

  @Test
  void initialMessage_fromAnotherCertificate_orWithAnyHeaderFieldChanged_failsTheSignature()
      throws Exception {
    InitiatorStart sent = SessionInitiator.start(alice, oneTimeBundle(), RANDOM);
    InitialMessageHeader h = sent.header();

    assertReason(
        () -> SessionResponder.accept(bobStore, bob, mallory.certificate(), h),
        Reason.BAD_INITIATOR_SIGNATURE);
    byte[] eph = h.ephemeralKey();
    eph[5] ^= 1;
    byte[] ct = h.kemCiphertext();
    ct[1000] ^= 1;
    byte[] sig = h.signature();
    sig[sig.length - 1] ^= 1;
    for (InitialMessageHeader changed :
        new InitialMessageHeader[] {
          new InitialMessageHeader(
              eph,
              h.signedPrekeyId(),
              h.kemPrekeyKind(),
              h.kemPrekeyId(),
              h.kemCiphertext(),
              h.signature()),
          new InitialMessageHeader(
              h.ephemeralKey(),
              h.signedPrekeyId(),
              h.kemPrekeyKind(),
              h.kemPrekeyId(),
              ct,
              h.signature()),
          new InitialMessageHeader(
              h.ephemeralKey(),
              h.signedPrekeyId(),
              h.kemPrekeyKind(),
              h.kemPrekeyId(),
              h.kemCiphertext(),
              sig)
        }) {
      assertReason(
          () -> SessionResponder.accept(bobStore, bob, alice.certificate(), changed),
          Reason.BAD_INITIATOR_SIGNATURE);
    }
  }

  @Test
  void initialMessage_namingAnUnknownPrekey_isRefusedBeforeAnythingElse() throws Exception {
    InitiatorStart sent = SessionInitiator.start(alice, oneTimeBundle(), RANDOM);
    InitialMessageHeader h = sent.header();

    for (InitialMessageHeader changed :
        new InitialMessageHeader[] {
          new InitialMessageHeader(
              h.ephemeralKey(),
              h.signedPrekeyId() + 100,
              h.kemPrekeyKind(),
              h.kemPrekeyId(),
              h.kemCiphertext(),
              h.signature()),
          new InitialMessageHeader(
              h.ephemeralKey(),
              h.signedPrekeyId(),
              h.kemPrekeyKind(),
              h.kemPrekeyId() + 100,
              h.kemCiphertext(),
              h.signature()),
          new InitialMessageHeader(
              h.ephemeralKey(),
              h.signedPrekeyId(),
              PrekeyKind.LAST_RESORT_ML_KEM_768,
              h.kemPrekeyId(),
              h.kemCiphertext(),
              h.signature())
        }) {
      assertReason(
          () -> SessionResponder.accept(bobStore, bob, alice.certificate(), changed),
          Reason.UNKNOWN_PREKEY);
    }
  }

  @Test
  void lowOrderEphemeralKey_isRefused_evenWithAValidSignature() throws Exception {
    PrekeyBundle b = oneTimeBundle();
    // u = 0 is a low-order point: any agreement with it is all zeros (RFC 7748 section 6.1).
    byte[] lowOrder = new byte[32];
    InitiatorStart honest = SessionInitiator.start(alice, b, RANDOM);
    byte[] th =
        SessionKeySchedule.transcriptHash(
            SessionKeySchedule.transcript(
                alice.certificateHash(),
                bob.certificateHash(),
                b.signedPrekey(),
                b.kemPrekey(),
                lowOrder,
                honest.header().kemCiphertext()));
    InitialMessageHeader h = honest.header();
    InitialMessageHeader forged =
        new InitialMessageHeader(
            lowOrder,
            h.signedPrekeyId(),
            h.kemPrekeyKind(),
            h.kemPrekeyId(),
            h.kemCiphertext(),
            alice.sign(SessionKeySchedule.signatureInput(th), RANDOM));

    assertReason(
        () -> SessionResponder.accept(bobStore, bob, alice.certificate(), forged),
        Reason.WEAK_KEY_AGREEMENT);
  }

  @Test
  void lowOrderSignedPrekey_isRefusedByTheInitiator() {
    byte[] lowOrder = new byte[32];
    lowOrder[0] = 1; // u = 1: order 1 (RFC 7748 section 6.1)
    SignedPrekey weak = SignedPrekey.sign(bob, PrekeyKind.SIGNED_X25519, 77, lowOrder, RANDOM);
    PrekeyBundle b = PrekeyBundle.of(bob.certificate(), weak, bobStore.lastResortPrekey());

    assertReason(() -> SessionInitiator.start(alice, b, RANDOM), Reason.WEAK_KEY_AGREEMENT);
  }

  @Test
  void invalidMlKemPrekey_isRefusedByTheInitiator() {
    byte[] key = bobStore.lastResortPrekey().publicKey();
    key[0] = (byte) 0xff;
    key[1] = (byte) 0x0f;
    SignedPrekey bad = SignedPrekey.sign(bob, PrekeyKind.LAST_RESORT_ML_KEM_768, 78, key, RANDOM);

    assertReason(() -> SessionInitiator.start(alice, bundle(bad), RANDOM), Reason.BAD_PREKEY);
  }

  @Test
  void storeOfAnotherDevice_isRefused() throws Exception {
    InitiatorStart sent = SessionInitiator.start(alice, oneTimeBundle(), RANDOM);

    assertReason(
        () -> SessionResponder.accept(bobStore, mallory, alice.certificate(), sent.header()),
        Reason.WRONG_DEVICE);
  }

  @Test
  void deviceKey_notMatchingItsCertificate_isRefused() {
    assertReason(
        () -> new DeviceKey(KeyTypeHolder.otherP256Key(), bob.certificate()),
        Reason.BAD_DEVICE_KEY);
  }

  @Test
  void destroy_zeroesTheSharedKey() throws Exception {
    InitiatorStart sent = SessionInitiator.start(alice, oneTimeBundle(), RANDOM);
    sent.destroy();

    assertThat(sent.sk()).containsOnly(0);
  }

  @Test
  void prekeyStore_roundTrips_andStillOpensSessions() throws Exception {
    bobStore.rotateSignedPrekey(bob, NOW, RANDOM);
    InitiatorStart sent = SessionInitiator.start(alice, oneTimeBundle(), RANDOM);

    PrekeyStore restored = PrekeyStore.fromBytes(bobStore.toBytes());

    assertThat(restored.toBytes()).isEqualTo(bobStore.toBytes());
    assertThat(restored.oneTimePrekeys()).isEqualTo(bobStore.oneTimePrekeys());
    SessionResponder.Accepted accepted =
        SessionResponder.accept(restored, bob, alice.certificate(), sent.header());
    assertThat(accepted.start().sk()).isEqualTo(sent.sk());
    X25519.KeyPair keys = accepted.start().ratchetKeyPair();
    assertThat(keys.publicKey()).isEqualTo(bobStore.signedPrekey().publicKey());
  }

  @Test
  void prekeyStore_truncatedOrWithTrailingBytes_isRefused() {
    PrekeyStore small = PrekeyStore.generate(bob, 1, NOW, RANDOM);
    byte[] bytes = small.toBytes();

    for (int n = 0; n < bytes.length; n += 97) {
      byte[] cut = Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> PrekeyStore.fromBytes(cut))
          .isInstanceOf(MalformedSessionDataException.class);
    }
    assertThatThrownBy(() -> PrekeyStore.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(MalformedSessionDataException.class);
    assertThatThrownBy(() -> PrekeyStore.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(MalformedSessionDataException.class);
  }

  /** Another P-256 private key than the certificate's. */
  private static final class KeyTypeHolder {
    static java.security.PrivateKey otherP256Key() {
      return dev.ztchat.core.pki.KeyType.EC.generate(256).getPrivate();
    }
  }
}
