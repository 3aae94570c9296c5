package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's contact decisions (docs/PROTOCOL.md section 7): the revocation list is cached for
 * {@link ContactDirectory#CRL_REFRESH} on the injected clock; a superseded certificate refuses only
 * messages dated after its revocation, a compromised one all; without a fresh list only contacts
 * already pinned are accepted. The relay is real; time is moved, never waited for.
 */
class ContactDirectoryTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;
  RelayConnection connection;
  ClientStore store;
  ContactPins pins;
  final MutableClock clock = MutableClock.followingSystem();
  final AtomicInteger relayUses = new AtomicInteger();
  ContactDirectory contacts;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
    connection =
        RelayConnection.connect(
            "localhost", server.port(), pki.user("alice").signing(), pki.ca().certificate());
    store = ClientStore.open(dir.resolve("alice"));
    pins = new ContactPins(store, clock);
    contacts =
        new ContactDirectory(
            () -> {
              relayUses.incrementAndGet();
              return connection;
            },
            new CertificateVerifier(pki.ca().certificate()),
            pins,
            clock);
  }

  @AfterEach
  void stop() throws Exception {
    connection.close();
    store.close();
    server.close();
  }

  void publish(X509CRL crl) throws Exception {
    CrlFiles.write(certs.crl(), crl);
    RevocationIntegrationTest.reloadRevocations(server, certs);
  }

  X509Certificate signing(String user) {
    return pki.user(user).signing().certificate();
  }

  @Test
  void revocationList_isFetchedOncePerRefreshPeriod_ofTheInjectedClock() throws Exception {
    contacts.revocations();
    contacts.revocations();
    assertThat(relayUses).as("the second answer comes from the cache").hasValue(1);

    clock.advance(ContactDirectory.CRL_REFRESH);
    contacts.revocations();

    assertThat(relayUses).hasValue(2);
  }

  @Test
  void revocationPublishedMeanwhile_isSeenOnceTheCachedListIsDue() throws Exception {
    assertThat(contacts.revocations().isRevoked(signing("bob"))).isFalse();
    publish(pki.revoke(signing("bob"), RevocationReason.KEY_COMPROMISE));

    assertThat(contacts.revocations().isRevoked(signing("bob")))
        .as("still the cached list")
        .isFalse();
    clock.advance(ContactDirectory.CRL_REFRESH);
    assertThat(contacts.revocations().isRevoked(signing("bob"))).isTrue();
  }

  @Test
  void supersededSender_messagesDatedBeforeTheRevocationAreAccepted_laterOnesRefused()
      throws Exception {
    publish(pki.revoke(signing("bob"), RevocationReason.SUPERSEDED));

    assertThat(contacts.refusal(signing("bob"), Instant.now().minus(Duration.ofHours(1))))
        .isEmpty();
    assertThat(contacts.refusal(signing("bob"), Instant.now().plus(Duration.ofHours(1))))
        .hasValueSatisfying(why -> assertThat(why).contains("'bob'").contains("revoked"));
  }

  @Test
  void compromisedSender_evenMessagesDatedBeforeTheRevocationAreRefused() throws Exception {
    publish(pki.revoke(signing("bob"), RevocationReason.KEY_COMPROMISE));

    assertThat(contacts.refusal(signing("bob"), Instant.now().minus(Duration.ofDays(1))))
        .isPresent();
  }

  @Test
  void withoutAFreshList_aStrangerIsRefused_butAPinnedContactIsNot() throws Exception {
    UserIdentity bob = pki.user("bob");
    pins.check(
        new VerifiedContact("bob", bob.signing().certificate(), bob.encryption().certificate()));
    publish(
        CrlIssuer.issue(
            pki.ca(),
            pki.crl(),
            List.of(),
            Instant.now().minus(Duration.ofDays(9)),
            Duration.ofDays(7)));

    assertThat(contacts.refusal(signing("carol"), Instant.now()))
        .hasValueSatisfying(why -> assertThat(why).contains("no fresh revocation list"));
    assertThat(contacts.refusal(signing("bob"), Instant.now())).isEmpty();
    assertThat(pins.isPinned("carol")).as("checking carol pins nothing").isFalse();
  }

  @Test
  void forSending_aRevokedContact_isRefused_andNotPinned() throws Exception {
    publish(
        pki.revoke(pki.user("carol").encryption().certificate(), RevocationReason.KEY_COMPROMISE));

    assertThatThrownBy(() -> contacts.forSending("carol"))
        .isInstanceOf(UntrustedContactException.class)
        .hasMessageContaining("revoked");
    assertThat(pins.isPinned("carol")).isFalse();
  }

  @Test
  void forSending_aStrangerWithoutAFreshList_isRefused_aPinnedContactIsNot() throws Exception {
    contacts.forSending("bob"); // pins bob
    publish(
        CrlIssuer.issue(
            pki.ca(),
            pki.crl(),
            List.of(),
            Instant.now().minus(Duration.ofDays(9)),
            Duration.ofDays(7)));
    clock.advance(ContactDirectory.CRL_REFRESH);

    assertThatThrownBy(() -> contacts.forSending("carol"))
        .isInstanceOf(UntrustedContactException.class)
        .hasMessageContaining("new contact");
    assertThat(contacts.forSending("bob").name()).isEqualTo("bob");
  }

  @Test
  void fetchVerified_anInvalidName_isRefusedWithoutAskingTheRelay() {
    assertThatThrownBy(() -> contacts.fetchVerified("../bob"))
        .isInstanceOf(UntrustedContactException.class)
        .hasMessageContaining("not a valid user name");
    assertThat(relayUses).hasValue(0);
  }
}
