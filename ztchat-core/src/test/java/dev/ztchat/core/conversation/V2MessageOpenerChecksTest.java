package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.ratchet.RatchetState;
import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Every receiver check of docs/v2/messages.md section 6, one reason at a time, in order. */
class V2MessageOpenerChecksTest {
  private final V2World world = new V2World();
  private final V2World.Party alice = world.device("alice");
  private final V2World.Party bob = world.device("bob");

  @Test
  void everyByteFlipped_failsClosed_andLeavesNoTrace() throws Exception {
    V2Envelope genuine = alice.send("hello bob", bob);
    byte[] bytes = genuine.encode();
    int oneTimeBefore = bob.prekeys.oneTimePrekeys().size();

    for (int i = 0; i < bytes.length; i++) {
      byte[] tampered = bytes.clone();
      tampered[i] ^= 0x01;
      int at = i;
      assertThatThrownBy(() -> bob.opener.open(tampered))
          .as("byte %d", at)
          .isInstanceOfAny(MalformedEnvelopeException.class, EnvelopeRejectedException.class);
    }

    assertThat(bob.store.sessions("alice")).isEmpty();
    assertThat(bob.prekeys.oneTimePrekeys()).hasSize(oneTimeBefore);
    assertThat(bob.guard.size()).isZero();
    assertThat(bob.open(genuine).text()).isEqualTo("hello bob");
  }

  @Test
  void truncatedOrExtended_isMalformed() throws Exception {
    byte[] bytes = alice.send("hello bob", bob).encode();

    assertThatThrownBy(() -> bob.opener.open(Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(MalformedEnvelopeException.class);
    assertThatThrownBy(() -> bob.opener.open(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(MalformedEnvelopeException.class);
  }

  @Test
  void unknownBodyFormat_isMalformed_evenWhenSigned() throws Exception {
    V2Envelope e = alice.send("hello bob", bob);
    byte[] body = e.body();
    body[0] = 2;

    assertThatThrownBy(() -> bob.open(signed(alice.key, e.prefix(), body)))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("body format 2");
  }

  @Test
  void bodyWithTrailingByte_isMalformed() throws Exception {
    V2Envelope e = alice.send("hello bob", bob);
    byte[] body = Arrays.copyOf(e.body(), e.body().length + 1);

    assertThatThrownBy(() -> bob.open(signed(alice.key, e.prefix(), body)))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("unexpected bytes after the ciphertext");
  }

  @Test
  void bodyWithNoEntries_isMalformed() throws Exception {
    V2Envelope e = alice.send("hello bob", bob);
    V2Body b = V2Body.decode(e.body(), e.prefix());
    byte[] body = e.body();
    body[1 + 32 + 2 + b.certificate().orElseThrow().length] = 0;

    assertThatThrownBy(() -> bob.open(signed(alice.key, e.prefix(), body)))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("1 to 255 entries, not 0");
  }

  @Test
  void entryForSomeoneThePrefixDoesNotName_isMalformed() throws Exception {
    V2Envelope e = alice.send("hello bob", bob);
    V2Body b = V2Body.decode(e.body(), e.prefix());
    V2Body.Entry mine = b.entries().get(0);
    V2Body.Entry stranger =
        new V2Body.Entry(
            "mallory", new byte[32], mine.sessionId(), Optional.empty(), mine.ratchetMessage());
    byte[] body =
        new V2Body(
                b.senderDevice(),
                b.certificate().orElseThrow(),
                List.of(mine, stranger),
                b.nonce(),
                b.ciphertext())
            .encode();

    assertThatThrownBy(() -> bob.open(signed(alice.key, e.prefix(), body)))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("names someone the prefix does not");
  }

  @Test
  void messageForSomeoneElse_isNotForMe() throws Exception {
    V2World.Party carol = world.device("carol");

    assertRejected(carol, alice.send("hello bob", bob), RejectionReason.NOT_FOR_ME);
  }

  @Test
  void messageForAnotherDeviceOfMine_signedByTheSendersDevice_isForMyOtherDevices()
      throws Exception {
    V2World.Party bobLaptop = world.device("bob");

    assertRejected(bobLaptop, alice.send("hello bob", bob), RejectionReason.FOR_MY_OTHER_DEVICES);
  }

  @Test
  void messageForAnotherDeviceOfMine_alteredOnTheWay_isABadSignature_notSetAside()
      throws Exception {
    V2World.Party bobLaptop = world.device("bob");
    V2Envelope genuine = alice.send("hello bob", bob);
    V2Envelope altered =
        new V2Envelope(genuine.prefix(), flipLast(genuine.body()), genuine.signature());

    assertRejected(bobLaptop, altered, RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void certificateFromAnotherCa_isUntrusted() throws Exception {
    TestPki rogue = TestPki.rogue();
    V2World.Party fakeAlice =
        world.device(
            "alice",
            CertificateIssuer.issueDevice(
                rogue.ca(),
                "alice",
                Instant.now().minus(Duration.ofMinutes(5)),
                Duration.ofDays(30),
                null));

    assertRejected(
        bob, fakeAlice.send("hello bob", bob), RejectionReason.UNTRUSTED_SENDER_CERTIFICATE);
  }

  @Test
  void certificateOfAnotherName_isUntrusted() throws Exception {
    V2World.Party mallory = world.device("mallory");
    V2Envelope e = mallory.send("hello bob", bob);
    RoutingPrefix p = e.prefix();
    RoutingPrefix asAlice =
        new RoutingPrefix(2, "alice", p.recipients(), p.timestampMillis(), p.messageId());

    assertRejected(
        bob, signed(mallory.key, asAlice, e.body()), RejectionReason.UNTRUSTED_SENDER_CERTIFICATE);
  }

  @Test
  void certificateThatIsNotTheSenderDevice_isUntrusted() throws Exception {
    V2Envelope e = alice.send("hello bob", bob);
    byte[] body = e.body();
    body[1] ^= 1; // sender_device

    assertRejected(
        bob, signed(alice.key, e.prefix(), body), RejectionReason.UNTRUSTED_SENDER_CERTIFICATE);
  }

  @Test
  void sessionWhoseStoredCertificateExpired_isUntrusted() throws Exception {
    bob.open(alice.send("hello bob", bob));
    world.clock.advance(Duration.ofDays(31));

    assertRejected(
        bob, alice.send("still there?", bob), RejectionReason.UNTRUSTED_SENDER_CERTIFICATE);
  }

  @Test
  void messageOnASessionIDoNotHave_isUnknownSession() throws Exception {
    Credential phone =
        CertificateIssuer.issueDevice(
            world.pki.ca(),
            "dave",
            Instant.now().minus(Duration.ofMinutes(5)),
            Duration.ofDays(30),
            null);
    V2World.Party dave = world.device("dave", phone);
    dave.open(alice.send("hello dave", dave));
    alice.open(dave.send("hello alice", alice)); // the session received: no more setup repeated
    V2World.Party daveAfterReset = world.device("dave", phone); // same device, state lost

    assertRejected(
        daveAfterReset, alice.send("hello again", dave), RejectionReason.UNKNOWN_SESSION);
  }

  @Test
  void signatureByAnotherDevice_isBadSignature() throws Exception {
    V2World.Party mallory = world.device("mallory");
    V2Envelope e = alice.send("hello bob", bob);

    assertRejected(bob, signed(mallory.key, e.prefix(), e.body()), RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void revokedSender_isRefused() throws Exception {
    bob.revocations = (cert, at) -> Optional.of("key compromise");

    assertRejected(bob, alice.send("hello bob", bob), RejectionReason.SENDER_REVOKED);
  }

  @Test
  void senderRevokedDuringAnEstablishedSession_isRefusedAtTheNextMessage() throws Exception {
    bob.open(alice.send("one", bob));
    alice.open(bob.send("two", alice));
    bob.open(alice.send("three", bob)); // bob keeps the session and alice's checked certificate
    bob.revocations = (cert, at) -> Optional.of("key compromise");

    assertRejected(bob, alice.send("four", bob), RejectionReason.SENDER_REVOKED);
  }

  @Test
  void oldMessage_isStale() throws Exception {
    V2Envelope e = alice.send("hello bob", bob);
    world.clock.advance(Duration.ofDays(8));

    assertRejected(bob, e, RejectionReason.STALE);
  }

  @Test
  void messageDatedAheadOfTheSkew_isFromTheFuture() throws Exception {
    world.clock.advance(Duration.ofMinutes(10));
    V2Envelope e = alice.send("hello bob", bob);
    world.clock.advance(Duration.ofMinutes(-10));

    assertRejected(bob, e, RejectionReason.FROM_THE_FUTURE);
  }

  @Test
  void secondCopy_isReplay() throws Exception {
    V2Envelope e = alice.send("hello bob", bob);
    bob.open(e);

    assertRejected(bob, e, RejectionReason.REPLAY);
  }

  @Test
  void ratchetMessageAltered_andSignedBySender_failsDecryption() throws Exception {
    assertRejected(bob, resignedWithEntry(alice.send("hi", bob), m -> flipLast(m)));
  }

  @Test
  void contentCiphertextAltered_andSignedBySender_failsDecryption() throws Exception {
    V2Envelope e = alice.send("hi", bob);
    byte[] body = e.body();
    body[body.length - 1] ^= 1;

    assertRejected(bob, signed(alice.key, e.prefix(), body), RejectionReason.DECRYPTION_FAILED);
  }

  @Test
  void sessionIdThatIsNotTheSetupsOwn_failsDecryption() throws Exception {
    V2Envelope e = alice.send("hi", bob);
    V2Body b = V2Body.decode(e.body(), e.prefix());
    V2Body.Entry entry = b.entries().get(0);
    byte[] otherId = entry.sessionId();
    otherId[0] ^= 1;
    V2Body.Entry moved =
        new V2Body.Entry(
            entry.recipient(),
            entry.recipientDevice(),
            otherId,
            entry.initial(),
            entry.ratchetMessage());
    byte[] body =
        new V2Body(
                b.senderDevice(),
                b.certificate().orElseThrow(),
                List.of(moved),
                b.nonce(),
                b.ciphertext())
            .encode();

    assertRejected(bob, signed(alice.key, e.prefix(), body), RejectionReason.DECRYPTION_FAILED);
  }

  @Test
  void contentOfAKindNoVersionKnows_isMalformedContent() throws Exception {
    bob.open(alice.send("one", bob));
    alice.open(bob.send("two", alice)); // the session received: no setup is repeated
    // Sealed by hand exactly as the sealer does, around a content whose kind byte is unknown.
    StoredSession session = alice.store.sessions("bob").get(0);
    byte[] aliceDevice = alice.key.certificateHash();
    byte[] bobDevice = bob.key.certificateHash();
    byte[] id = new byte[16];
    world.random.nextBytes(id);
    Instant now = world.clock.instant();
    RoutingPrefix prefix = new RoutingPrefix(2, "alice", List.of("bob"), now.toEpochMilli(), id);
    byte[] encodedPrefix = V2Envelope.encodePrefix(prefix);
    byte[] contentKey = new byte[32];
    world.random.nextBytes(contentKey);
    byte[] nonce = new byte[12];
    world.random.nextBytes(nonce);
    SessionStore.StoredLedger stored = alice.store.ledger("bob", bobDevice).orElseThrow();
    ConversationLedger ledger = ConversationLedger.fromStored(stored.head(), stored.entries());
    byte[] keyPlaintext =
        V2Crypto.concat(new byte[] {1}, contentKey, ledger.nextOutgoing(id, now).encode());
    RatchetState.Sealed sealed =
        RatchetState.fromBytes(session.ratchetState())
            .encrypt(
                keyPlaintext,
                V2Crypto.ratchetExtraAd(encodedPrefix, aliceDevice, bobDevice, session.sessionId()),
                now,
                world.random);
    byte[] ciphertext =
        V2Crypto.gcmEncrypt(
            contentKey,
            nonce,
            V2Crypto.contentAad(encodedPrefix, aliceDevice),
            new byte[] {0x7f, 1, 2, 3});
    byte[] body =
        new V2Body(
                aliceDevice,
                new byte[0],
                List.of(
                    new V2Body.Entry(
                        "bob", bobDevice, session.sessionId(), Optional.empty(), sealed.message())),
                nonce,
                ciphertext)
            .encode();

    assertRejected(bob, signed(alice.key, prefix, body), RejectionReason.MALFORMED_CONTENT);
  }

  @Test
  void staleAndBadlySigned_isBadSignature_signatureComesFirst() throws Exception {
    V2World.Party mallory = world.device("mallory");
    V2Envelope e = alice.send("hello bob", bob);
    world.clock.advance(Duration.ofDays(8));

    assertRejected(bob, signed(mallory.key, e.prefix(), e.body()), RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void staleReplay_isStale_freshnessComesBeforeTheReplayGuard() throws Exception {
    V2Envelope e = alice.send("hello bob", bob);
    bob.open(e);
    world.clock.advance(Duration.ofDays(8));

    assertRejected(bob, e, RejectionReason.STALE);
  }

  private V2Envelope resignedWithEntry(V2Envelope e, UnaryOperator<byte[]> change)
      throws Exception {
    V2Body b = V2Body.decode(e.body(), e.prefix());
    V2Body.Entry entry = b.entries().get(0);
    V2Body.Entry changed =
        new V2Body.Entry(
            entry.recipient(),
            entry.recipientDevice(),
            entry.sessionId(),
            entry.initial(),
            change.apply(entry.ratchetMessage()));
    byte[] body =
        new V2Body(
                b.senderDevice(),
                b.certificate().orElse(new byte[0]),
                List.of(changed),
                b.nonce(),
                b.ciphertext())
            .encode();
    return signed(alice.key, e.prefix(), body);
  }

  private static byte[] flipLast(byte[] m) {
    byte[] out = m.clone();
    out[out.length - 1] ^= 1;
    return out;
  }

  private V2Envelope signed(DeviceKey key, RoutingPrefix prefix, byte[] body) {
    return new V2Envelope(
        prefix, body, key.signEnvelope(V2Envelope.signedBytes(prefix, body), world.random));
  }

  private static void assertRejected(V2World.Party to, V2Envelope e, RejectionReason reason) {
    assertThatThrownBy(() -> to.open(e))
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class, r -> assertThat(r.reason()).isEqualTo(reason));
  }

  private static void assertRejected(V2World.Party to, V2Envelope e) {
    assertRejected(to, e, RejectionReason.DECRYPTION_FAILED);
  }
}
