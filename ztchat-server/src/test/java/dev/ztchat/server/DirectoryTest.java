package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The directory keeps current and earlier certificates and never rolls back to an older one. */
class DirectoryTest {
  static final TestPki PKI = TestPki.create("alice");
  final Instant now = Instant.now();
  final UserIdentity older = issue(now.minus(Duration.ofDays(2)));
  final UserIdentity newer = issue(now.minus(Duration.ofDays(1)));
  final Set<X509Certificate> revoked = new HashSet<>();
  final Directory directory =
      new Directory(
          new CertificateVerifier(PKI.ca().certificate()),
          Clock.systemUTC(),
          cert -> revoked.contains(cert) ? Optional.of(now) : Optional.empty());

  static UserIdentity issue(Instant notBefore) {
    return CertificateIssuer.issueUser(
        PKI.ca(), "alice", TestPki.TEST_KEY_BITS, notBefore, Duration.ofDays(30));
  }

  void learn(UserIdentity id) throws Exception {
    directory.learn("alice", id.signing().certificate(), CertificateRole.USER_SIGNING);
    directory.learn("alice", id.encryption().certificate(), CertificateRole.USER_ENCRYPTION);
  }

  @Test
  void renewal_makesTheNewCertificatesCurrent_andServesTheOldSigningOneAsEarlier()
      throws Exception {
    learn(older);
    learn(newer);

    Directory.Entry e = directory.lookup("alice").orElseThrow();
    assertThat(e.signing()).isEqualTo(newer.signing().certificate());
    assertThat(e.encryption()).isEqualTo(newer.encryption().certificate());
    assertThat(e.earlierSigning()).containsExactly(older.signing().certificate());
  }

  @Test
  void anOlderCertificateLearnedLater_doesNotRollTheDirectoryBack() throws Exception {
    learn(newer);
    learn(older); // e.g. a client still holding its keys from before the renewal

    Directory.Entry e = directory.lookup("alice").orElseThrow();
    assertThat(e.signing()).isEqualTo(newer.signing().certificate());
    assertThat(e.encryption()).isEqualTo(newer.encryption().certificate());
    assertThat(e.earlierSigning()).containsExactly(older.signing().certificate());
  }

  @Test
  void aRevokedCertificate_isNeverCurrentWhileOneThatIsNotIsKnown() throws Exception {
    UserIdentity sameSecond = issue(newer.signing().certificate().getNotBefore().toInstant());
    revoked.add(newer.signing().certificate());
    revoked.add(newer.encryption().certificate());
    learn(sameSecond);
    learn(newer); // learned last and as new, but superseded

    Directory.Entry e = directory.lookup("alice").orElseThrow();
    assertThat(e.signing()).isEqualTo(sameSecond.signing().certificate());
    assertThat(e.encryption()).isEqualTo(sameSecond.encryption().certificate());
  }

  @Test
  void learningTheSameCertificateTwice_keepsOneCopy() throws Exception {
    learn(older);
    learn(older);

    assertThat(directory.lookup("alice").orElseThrow().earlierSigning()).isEmpty();
  }
}
