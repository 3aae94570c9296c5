package dev.ztchat.core.conversation;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.ratchet.RatchetState;
import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.InitialMessageHeader;
import dev.ztchat.core.session.LedgerCommitment;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The conversation of the message vector (docs/v2/messages.md section 10): Alice's first message
 * (built step by step from the session vector's SK, AD and initial-message header), Bob's reply and
 * Alice's third message (made by the real sealer with the vector's scripted randomness), each
 * opened by the real opener. The generator prints what it makes; the test compares it with what the
 * specification publishes.
 */
final class MessageVectorFlow {
  static final int MAX_FRAME = 16384;

  final MessageVector v;
  final DeviceKey alice;
  final DeviceKey bob;
  final CertificateVerifier verifier;
  final MutableClock clock;
  final InMemorySessionStore aliceStore = new InMemorySessionStore();
  final InMemorySessionStore bobStore = new InMemorySessionStore();
  final V2Device aliceDevice;
  final V2Device bobDevice;

  MessageVectorFlow(MessageVector v) throws Exception {
    this.v = v;
    alice = v.device("alice");
    bob = v.device("bob");
    verifier = new CertificateVerifier(v.certificate("test-vector-v2-ca.crt"));
    clock = MutableClock.at(Instant.ofEpochMilli(v.number("msg1_timestamp_ms")));
    PrekeyStore bobPrekeys = v.bobPrekeys(bob);
    bobStore.savePrekeys(bobPrekeys.toBytes());
    bobDevice = new V2Device("bob", bob, bobPrekeys, bobStore);
    PrekeyStore alicePrekeys = PrekeyStore.generate(alice, 0, clock.instant(), new SecureRandom());
    aliceDevice = new V2Device("alice", alice, alicePrekeys, aliceStore);
  }

  /** Message 1's parts, each computed from the vector's inputs as section 5 says. */
  record First(
      RoutingPrefix prefix,
      byte[] sessionId,
      byte[] commitment,
      byte[] ratchetPlaintext,
      byte[] ratchetExtraAd,
      byte[] ratchetMessage,
      byte[] contentPlaintext,
      byte[] contentAad,
      byte[] ciphertext,
      byte[] body,
      byte[] signedBytes) {}

  /** Builds message 1 and leaves Alice's session and ledger in her store, as her sealer would. */
  First first() throws Exception {
    long ts = v.number("msg1_timestamp_ms");
    Instant now = Instant.ofEpochMilli(ts);
    byte[] id = v.hex("msg1_message_id");
    RoutingPrefix prefix = new RoutingPrefix(2, "alice", List.of("bob"), ts, id);
    byte[] encodedPrefix = V2Envelope.encodePrefix(prefix);
    byte[] aliceDev = alice.certificateHash();
    byte[] bobDev = bob.certificateHash();
    byte[] ad = v.hex("ad");
    byte[] sessionId = V2Crypto.sessionId(ad);
    ConversationLedger ledger = ConversationLedger.create();
    LedgerCommitment commitment = ledger.nextOutgoing(id, now);
    byte[] key = v.hex("msg1_content_key");
    byte[] ratchetPlaintext = V2Crypto.concat(new byte[] {1}, key, commitment.encode());
    byte[] extraAd = V2Crypto.ratchetExtraAd(encodedPrefix, aliceDev, bobDev, sessionId);
    RatchetState.Sealed sealed =
        RatchetState.initiator(v.hex("sk"), v.hex("bob_signed_prekey_public"), ad)
            .encrypt(
                ratchetPlaintext,
                extraAd,
                now,
                new MessageVector.Scripted().then(v.hex("alice_ratchet_private_1")));
    byte[] content = MessageContent.text(text("msg1_text")).encode();
    byte[] aad = V2Crypto.contentAad(encodedPrefix, aliceDev);
    byte[] nonce = v.hex("msg1_nonce");
    byte[] ciphertext = V2Crypto.gcmEncrypt(key, nonce, aad, content);
    InitialMessageHeader header = InitialMessageHeader.decode(v.hex("initial_message_header"));
    byte[] body =
        new V2Body(
                aliceDev,
                alice.certificate().getEncoded(),
                List.of(
                    new V2Body.Entry(
                        "bob", bobDev, sessionId, Optional.of(header), sealed.message())),
                nonce,
                ciphertext)
            .encode();
    aliceStore.save(
        new StoredSession(
            "bob",
            bobDev,
            sessionId,
            bob.certificate().getEncoded(),
            sealed.next().toBytes(),
            ts,
            header.encode()),
        DecodedLedgers.update(ledger));
    return new First(
        prefix,
        sessionId,
        commitment.encode(),
        ratchetPlaintext,
        extraAd,
        sealed.message(),
        content,
        aad,
        ciphertext,
        body,
        V2Envelope.signedBytes(prefix, body));
  }

  String text(String name) {
    return new String(v.hex(name), StandardCharsets.UTF_8);
  }

  /** {@code device}'s opener at the clock's time, drawing {@code random} (ratchet keys). */
  V2MessageOpener opener(V2Device device, SecureRandom random) {
    return new V2MessageOpener(
        device,
        verifier,
        ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock),
        clock,
        AcceptancePolicy.DEFAULT,
        SenderRevocations.NONE,
        PeerVersions.NONE,
        random);
  }

  OpenedMessage open(V2Device device, V2Envelope envelope, byte[]... randomness) throws Exception {
    MessageVector.Scripted random = new MessageVector.Scripted();
    for (byte[] r : randomness) {
      random.then(r);
    }
    OpenedMessage m = opener(device, random).open(envelope.encode());
    if (!random.usedUp()) {
      throw new IllegalStateException("the opener drew less randomness than the vector gives");
    }
    return m;
  }

  /** Message {@code n} (2 or 3) sealed by the real sealer, its signature drawn from a real RNG. */
  V2Envelope seal(int n, V2Device from, DeviceKey to) throws Exception {
    clock.set(Instant.ofEpochMilli(v.number("msg" + n + "_timestamp_ms")));
    MessageVector.Scripted random =
        new MessageVector.Scripted()
            .then(v.hex("msg" + n + "_message_id"))
            .then(v.hex("msg" + n + "_content_key"))
            .then(v.hex("msg" + n + "_nonce"));
    V2Envelope e =
        new V2MessageSealer(from, clock, random, new SecureRandom(), MAX_FRAME)
            .seal(
                MessageContent.text(text("msg" + n + "_text")),
                List.of(
                    new RecipientDevice(
                        dev.ztchat.core.pki.CertificateVerifier.commonName(to.certificate()),
                        to.certificateHash())),
                List.of());
    if (!random.usedUp()) {
      throw new IllegalStateException("the sealer drew less randomness than the vector gives");
    }
    return e;
  }

  /**
   * The ratchet plaintext of {@code envelope}'s entry, decrypted from the receiver's stored state
   * without changing it (the vector publishes it; the opener never shows it).
   */
  byte[] ratchetPlaintext(
      InMemorySessionStore receiverStore,
      String sender,
      V2Envelope envelope,
      byte[] receiverDevice,
      byte[]... randomness)
      throws Exception {
    V2Body body = V2Body.decode(envelope.body(), envelope.prefix());
    V2Body.Entry entry = body.entries().get(0);
    StoredSession s = receiverStore.sessions(sender).get(0);
    MessageVector.Scripted random = new MessageVector.Scripted();
    for (byte[] r : randomness) {
      random.then(r);
    }
    return RatchetState.fromBytes(s.ratchetState())
        .decrypt(
            entry.ratchetMessage(),
            V2Crypto.ratchetExtraAd(
                V2Envelope.encodePrefix(envelope.prefix()),
                body.senderDevice(),
                receiverDevice,
                entry.sessionId()),
            clock.instant(),
            random)
        .plaintext();
  }
}
