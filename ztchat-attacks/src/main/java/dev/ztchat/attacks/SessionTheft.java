package dev.ztchat.attacks;

import dev.ztchat.core.conversation.InMemorySessionStore;
import dev.ztchat.core.conversation.RecipientDevice;
import dev.ztchat.core.conversation.SessionStore;
import dev.ztchat.core.conversation.StoredSession;
import dev.ztchat.core.conversation.V2Device;
import dev.ztchat.core.conversation.V2MessageOpener;
import dev.ztchat.core.conversation.V2MessageSealer;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.InMemorySeenMessageStore;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.PrekeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The core-level half of {@code forward-secrecy}: alice's and bob's devices as the core sealer and
 * opener with in-memory session stores (no relay, no client), a conversation of a few ratchet steps
 * both ways, then a copy of bob's whole {@link SessionStore} and prekey store taken as a thief
 * would, and a fresh opener on the copy (with an empty replay memory) given every envelope bob had
 * already opened, and one he had not.
 */
final class SessionTheft {
  /** What the opener on the stolen copy did: with each read envelope, and with the unread one. */
  record Result(List<String> read, String unread) {
    long opened() {
      return read.stream().filter(r -> r.equals("OPENED")).count();
    }
  }

  private static final int ROUNDS = 3;

  private final SecureRandom random = new SecureRandom();
  private final AttackTarget target;
  private final Clock clock = Clock.systemUTC();

  SessionTheft(AttackTarget target) {
    this.target = target;
  }

  Result run() throws Exception {
    DeviceKey aliceKey = key(Victims.newDevice(target, "alice"));
    DeviceKey bobKey = key(Victims.newDevice(target, "bob"));
    PrekeyStore bobPrekeys = PrekeyStore.generate(bobKey, 1, clock.instant(), random);
    InMemorySessionStore bobStore = new InMemorySessionStore();
    V2Device bob = new V2Device("bob", bobKey, bobPrekeys, bobStore);
    V2Device alice =
        new V2Device(
            "alice",
            aliceKey,
            PrekeyStore.generate(aliceKey, 1, clock.instant(), random),
            new InMemorySessionStore());
    V2MessageSealer aliceSeals = new V2MessageSealer(alice, clock, random, maxFrame());
    V2MessageSealer bobSeals = new V2MessageSealer(bob, clock, random, maxFrame());
    V2MessageOpener aliceOpens = opener(alice);
    V2MessageOpener bobOpens = opener(bob);
    RecipientDevice toBob = new RecipientDevice("bob", bobKey.certificateHash());
    RecipientDevice toAlice = new RecipientDevice("alice", aliceKey.certificateHash());
    PrekeyBundle bundle =
        new PrekeyBundle(
            bobKey.certificate().getEncoded(),
            bobPrekeys.signedPrekey(),
            bobPrekeys.oneTimePrekeys().getFirst());

    List<V2Envelope> read = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      V2Envelope e =
          aliceSeals.seal(
              MessageContent.text("core " + i),
              List.of(toBob),
              i == 0 ? List.of(bundle) : List.of());
      bobOpens.open(e.encode());
      read.add(e);
      aliceOpens.open(
          bobSeals.seal(MessageContent.text("reply " + i), List.of(toAlice), List.of()).encode());
    }
    V2Envelope unread =
        aliceSeals.seal(MessageContent.text("not yet read"), List.of(toBob), List.of());

    // The theft: bob's device key, his prekeys and every session and ledger he keeps.
    InMemorySessionStore stolen = new InMemorySessionStore();
    for (StoredSession s : bobStore.sessions("alice")) {
      stolen.save(s, bobStore.ledger("alice", s.peerDevice()).orElseThrow().asUpdate());
    }
    Optional<byte[]> prekeys = bobStore.prekeys();
    PrekeyStore stolenPrekeys =
        prekeys.isPresent()
            ? PrekeyStore.fromBytes(prekeys.get())
            : PrekeyStore.fromBytes(bobPrekeys.toBytes());
    V2MessageOpener thief = opener(new V2Device("bob", bobKey, stolenPrekeys, stolen));

    List<String> outcomes = new ArrayList<>();
    for (V2Envelope e : read) {
      outcomes.add(open(thief, e));
    }
    return new Result(outcomes, open(thief, unread));
  }

  private static String open(V2MessageOpener opener, V2Envelope e) throws Exception {
    try {
      opener.open(e.encode());
      return "OPENED";
    } catch (EnvelopeRejectedException refused) {
      return refused.reason().name();
    }
  }

  private V2MessageOpener opener(V2Device device) {
    return new V2MessageOpener(
        device,
        new CertificateVerifier(target.caCertificate()),
        new ReplayGuard(new InMemorySeenMessageStore(), AcceptancePolicy.DEFAULT, clock),
        clock,
        AcceptancePolicy.DEFAULT,
        SenderRevocations.NONE,
        PeerVersions.NONE,
        random);
  }

  private static DeviceKey key(Credential device) throws Exception {
    return new DeviceKey(device.privateKey(), device.certificate());
  }

  private static int maxFrame() {
    return ProtocolLimits.DEFAULT_MAX_FRAME;
  }
}
