package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Check 1 (PROTOCOL.md section 7): the directory is not trusted. Whatever certificate it returns
 * for the sender must be valid, per section 1, for role signing and the header's sender name, now.
 */
class RsaOaepAesGcmOpenerSenderCertificateTest {
  private final MutableClock clock = MutableClock.atRealNow();
  private final Instant now = clock.instant();
  private final SealedEnvelope fromAlice =
      Fixtures.sealer("alice", clock).seal(MessageContent.text("hi"), Fixtures.recipients("bob"));

  private EnvelopeRejectedException openWithDirectoryAnswer(
      X509Certificate answer, SealedEnvelope e) {
    RsaOaepAesGcmOpener bob = Fixtures.opener(Fixtures.user("bob"), clock, Fixtures.always(answer));
    try {
      bob.open(e);
    } catch (EnvelopeRejectedException r) {
      return r;
    }
    throw new AssertionError("opened with directory answer " + answer.getSubjectX500Principal());
  }

  private void assertUntrusted(X509Certificate answer, String why) {
    EnvelopeRejectedException r = openWithDirectoryAnswer(answer, fromAlice);
    assertThat(r.reason()).isEqualTo(RejectionReason.UNTRUSTED_SENDER_CERTIFICATE);
    assertThat(r.getMessage()).contains("not trusted").contains(why);
  }

  @Test
  void senderUnknownToTheDirectory_isUnknownSender() {
    RsaOaepAesGcmOpener bob = Fixtures.opener(Fixtures.user("bob"), clock, name -> null);

    assertThatThrownBy(() -> bob.open(fromAlice))
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class,
            r -> assertThat(r.reason()).isEqualTo(RejectionReason.UNKNOWN_SENDER))
        .hasMessageContaining("'alice'");
  }

  @Test
  void selfSignedSenderCertificate_isUntrusted() {
    KeyPair keys = CertificateIssuer.generateRsaKeyPair(TestPki.TEST_KEY_BITS);
    X509Certificate selfSigned =
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                "alice",
                keys.getPublic(),
                null,
                keys,
                now.minus(Duration.ofMinutes(5)),
                now.plus(Duration.ofDays(1)),
                CertificateRole.USER_SIGNING,
                List.of()));

    assertUntrusted(selfSigned, "not issued by our root CA");
  }

  @Test
  void senderCertificateFromRogueCaWithTheSameName_isUntrusted() {
    UserIdentity rogueAlice = TestPki.rogue("alice").user("alice");
    SealedEnvelope forged =
        new RsaOaepAesGcmSealer(rogueAlice, clock)
            .seal(MessageContent.text("it's me, alice"), Fixtures.recipients("bob"));

    EnvelopeRejectedException r =
        openWithDirectoryAnswer(rogueAlice.signing().certificate(), forged);

    assertThat(r.reason()).isEqualTo(RejectionReason.UNTRUSTED_SENDER_CERTIFICATE);
    assertThat(r.getMessage()).contains("signature that our root CA did not make");
  }

  @Test
  void senderCertificateForAnotherName_isUntrusted() {
    assertUntrusted(Fixtures.user("carol").signing().certificate(), "names 'carol', not 'alice'");
  }

  @Test
  void expiredSenderCertificate_isUntrusted() {
    X509Certificate expired =
        CertificateIssuer.issueLeaf(
                Fixtures.PKI.ca(),
                "alice",
                CertificateRole.USER_SIGNING,
                TestPki.TEST_KEY_BITS,
                now.minus(Duration.ofDays(10)),
                Duration.ofDays(1))
            .certificate();

    assertUntrusted(expired, "expired");
  }

  @Test
  void notYetValidSenderCertificate_isUntrusted() {
    X509Certificate future =
        CertificateIssuer.issueLeaf(
                Fixtures.PKI.ca(),
                "alice",
                CertificateRole.USER_SIGNING,
                TestPki.TEST_KEY_BITS,
                now.plus(Duration.ofDays(1)),
                Duration.ofDays(1))
            .certificate();

    assertUntrusted(future, "not valid before");
  }

  @Test
  void sendersEncryptionCertificateReturnedAsSigningCertificate_isUntrusted() {
    assertUntrusted(Fixtures.user("alice").encryption().certificate(), "not allowed for signing");
  }

  @Test
  void rootCaCertificateReturnedAsSenderCertificate_isUntrusted() {
    assertUntrusted(Fixtures.PKI.ca().certificate(), "");
  }

  @Test
  void senderCertificateCheck_comesBeforeAddressing() {
    // Carol is not a recipient, but an untrusted sender is reported first (check 1 before 2).
    RsaOaepAesGcmOpener carol =
        Fixtures.opener(
            Fixtures.user("carol"), clock, Fixtures.always(Fixtures.PKI.ca().certificate()));

    assertThat(Fixtures.rejection(carol, fromAlice))
        .isEqualTo(RejectionReason.UNTRUSTED_SENDER_CERTIFICATE);
  }

  @Test
  void lookupThatCannotBeAnswered_isNotAVerdict_andTheSameEnvelopeOpensOnceItCan()
      throws Exception {
    AtomicBoolean directoryUp = new AtomicBoolean(false);
    RsaOaepAesGcmOpener bob =
        Fixtures.opener(
            Fixtures.user("bob"),
            clock,
            name -> {
              if (!directoryUp.get()) {
                throw new SenderLookupUnavailableException(
                    "rate limited", Duration.ofSeconds(1), null);
              }
              return Fixtures.directory(name);
            });

    assertThatThrownBy(() -> bob.open(fromAlice))
        .isInstanceOfSatisfying(
            SenderLookupUnavailableException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1)));
    directoryUp.set(true);

    assertThat(bob.open(fromAlice).text()).as("nothing was recorded: not a replay").isEqualTo("hi");
  }
}
