package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Check 1 and 3 after a sender renewed (docs/PROTOCOL.md section 7): the directory gives the
 * current signing certificate and earlier ones; the opener uses the one whose signature verifies,
 * the current one first, and check 3b is asked about that one.
 */
class RsaOaepAesGcmOpenerEarlierSigningTest {
  private final MutableClock clock = MutableClock.atRealNow();
  private final UserIdentity oldAlice = Fixtures.user("alice");
  private final UserIdentity renewedAlice =
      CertificateIssuer.issueUser(
          Fixtures.PKI.ca(),
          "alice",
          TestPki.TEST_KEY_BITS,
          Instant.now().minus(Duration.ofMinutes(1)),
          Duration.ofDays(30));
  private final SealedEnvelope sealedBeforeRenewal =
      Fixtures.sealer("alice", clock)
          .seal(MessageContent.text("before the renewal"), Fixtures.recipients("bob"));
  private final List<X509Certificate> askedAbout = Collections.synchronizedList(new ArrayList<>());

  /** A directory answering alice's current certificate then {@code earlier}. */
  private static SenderCertificateLookup directory(
      X509Certificate current, X509Certificate... earlier) {
    return new SenderCertificateLookup() {
      @Override
      public X509Certificate signingCertificate(String name) {
        return current;
      }

      @Override
      public List<X509Certificate> signingCertificates(String name) {
        List<X509Certificate> all = new ArrayList<>();
        all.add(current);
        all.addAll(List.of(earlier));
        return all;
      }
    };
  }

  private RsaOaepAesGcmOpener bob(SenderCertificateLookup lookup) {
    return new RsaOaepAesGcmOpener(
        Fixtures.user("bob"),
        List.of(),
        Fixtures.VERIFIER,
        lookup,
        ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock),
        clock,
        AcceptancePolicy.DEFAULT,
        (cert, at) -> {
          askedAbout.add(cert);
          return Optional.empty();
        });
  }

  @Test
  void messageSignedWithAnEarlierCertificate_opens_andRevocationIsCheckedForThatCertificate()
      throws Exception {
    var opener =
        bob(directory(renewedAlice.signing().certificate(), oldAlice.signing().certificate()));

    assertThat(opener.open(sealedBeforeRenewal).text()).isEqualTo("before the renewal");
    assertThat(askedAbout).containsExactly(oldAlice.signing().certificate());
  }

  @Test
  void withOnlyTheCurrentCertificate_theEarlierMessageIsBadSignature() {
    var opener = bob(directory(renewedAlice.signing().certificate()));

    assertThat(Fixtures.rejection(opener, sealedBeforeRenewal))
        .isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void messageSignedWithTheCurrentCertificate_usesIt() throws Exception {
    SealedEnvelope now =
        new RsaOaepAesGcmSealer(renewedAlice, clock)
            .seal(MessageContent.text("after"), Fixtures.recipients("bob"));
    var opener =
        bob(directory(renewedAlice.signing().certificate(), oldAlice.signing().certificate()));

    assertThat(opener.open(now).text()).isEqualTo("after");
    assertThat(askedAbout).containsExactly(renewedAlice.signing().certificate());
  }

  @Test
  void anEarlierCertificateOfAnotherUser_isNotUsed() {
    // carol's real certificate verifies carol's signatures, never a message claiming to be alice's
    SealedEnvelope fromCarolAsAlice =
        Fixtures.withHeader(
            Fixtures.sealer("carol", clock)
                .seal(MessageContent.text("x"), Fixtures.recipients("bob")),
            sealedBeforeRenewal.header());
    var opener =
        bob(
            directory(
                renewedAlice.signing().certificate(),
                Fixtures.user("carol").signing().certificate()));

    assertThat(Fixtures.rejection(opener, fromCarolAsAlice))
        .isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void aValidEarlierCertificate_isStillFoundAfterOneNotValidForTheName() throws Exception {
    var opener =
        bob(
            directory(
                renewedAlice.signing().certificate(),
                Fixtures.user("carol").signing().certificate(),
                oldAlice.signing().certificate()));

    assertThat(opener.open(sealedBeforeRenewal).text()).isEqualTo("before the renewal");
  }

  @Test
  void onlyTheFirstFewCandidatesAreTried() {
    X509Certificate[] earlier = new X509Certificate[RsaOaepAesGcmOpener.MAX_SIGNING_CANDIDATES];
    Arrays.fill(earlier, renewedAlice.signing().certificate());
    earlier[earlier.length - 1] = oldAlice.signing().certificate(); // the ninth candidate
    var opener = bob(directory(renewedAlice.signing().certificate(), earlier));

    assertThat(Fixtures.rejection(opener, sealedBeforeRenewal))
        .isEqualTo(RejectionReason.BAD_SIGNATURE);
  }
}
