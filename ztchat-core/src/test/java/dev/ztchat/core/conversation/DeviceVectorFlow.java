package dev.ztchat.core.conversation;

import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupChangeRefusedException;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupRules;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.ratchet.RatchetState;
import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The devices and groups vector's conversation: alice's laptop holds a session with each listed
 * device (set up from the vector's SK, AD and prekey), seals the five messages with the real sealer
 * and the vector's scripted randomness, and every target device opens them with the real opener.
 * The generator prints what it makes; the tests compare it with the specification.
 */
final class DeviceVectorFlow {
  static final GroupId GROUP = GroupId.fromHex("00112233445566778899aabbccddeeff");

  /** The devices each message is sealed to, in the order of the body's entries. */
  static final Map<String, List<String>> TARGETS =
      Map.of(
          "m1", List.of("bob_laptop", "bob_phone", "alice_phone"),
          "m2", List.of("alice_phone", "bob_laptop", "bob_phone", "carol"),
          "m3", List.of("alice_phone", "bob_laptop", "bob_phone", "carol"),
          "m4", List.of("alice_phone", "bob_laptop", "bob_phone", "carol"),
          "m5", List.of("alice_phone", "bob_laptop", "bob_phone"));

  final DeviceVector v;
  final CertificateVerifier verifier;
  final MutableClock clock;
  private final Map<String, V2Device> devices = new LinkedHashMap<>();
  private final Map<String, InMemorySessionStore> stores = new LinkedHashMap<>();

  DeviceVectorFlow(DeviceVector v) throws Exception {
    this.v = v;
    verifier = new CertificateVerifier(v.ca());
    clock = MutableClock.at(Instant.ofEpochMilli(v.number("m1_timestamp_ms")));
    for (String d : DeviceVector.DEVICES) {
      DeviceKey key = v.key(d);
      InMemorySessionStore store = new InMemorySessionStore();
      PrekeyStore prekeys = PrekeyStore.generate(key, 0, clock.instant(), new SecureRandom());
      stores.put(d, store);
      devices.put(d, new V2Device(DeviceVector.person(d), key, prekeys, store));
    }
    DeviceKey sender = v.key(DeviceVector.SENDER);
    for (String t : DeviceVector.SESSIONS) {
      byte[] sk = v.hex("session_" + t + "_sk");
      byte[] ad = v.hex("session_" + t + "_ad");
      X25519.KeyPair prekey = X25519.fromPrivateKey(v.hex("session_" + t + "_prekey_private"));
      DeviceKey target = v.key(t);
      save(
          DeviceVector.SENDER,
          DeviceVector.person(t),
          target,
          ad,
          RatchetState.initiator(sk, prekey.publicKey(), ad));
      save(t, "alice", sender, ad, RatchetState.responder(sk, prekey, ad));
    }
  }

  /** A session of {@code device} with {@code peer}'s device {@code peerKey}, as set up. */
  private void save(String device, String peer, DeviceKey peerKey, byte[] ad, RatchetState state)
      throws Exception {
    stores
        .get(device)
        .save(
            new StoredSession(
                peer,
                peerKey.certificateHash(),
                V2Crypto.sessionId(ad),
                peerKey.certificate().getEncoded(),
                state.toBytes(),
                0,
                new byte[0]),
            DecodedLedgers.update(ConversationLedger.create()));
  }

  static String sessionIdName(String target) {
    return "session_" + target + "_id";
  }

  String text(String name) {
    return new String(v.hex(name), StandardCharsets.UTF_8);
  }

  /** alice's creation of #team with bob and carol (docs/v2/groups.md section 12's create). */
  static GroupChange create() throws GroupChangeRefusedException {
    return GroupRules.create(GROUP, "team", "alice", List.of("bob", "carol"));
  }

  /** alice's removal of carol from the group she created. */
  static GroupChange removeCarol() throws GroupChangeRefusedException {
    return GroupRules.propose(create().newState(), "alice", GroupOp.REMOVE, List.of("carol"));
  }

  /**
   * Message {@code m}'s content: a text, alice's creation of #team, a group text, her removal of
   * carol, and a group text after it.
   */
  MessageContent content(String m) throws Exception {
    return switch (m) {
      case "m1" -> MessageContent.text(text("m1_text"));
      case "m2" -> MessageContent.groupChange(create());
      case "m3" -> MessageContent.groupText(GROUP, 1, text("m3_text"));
      case "m4" -> MessageContent.groupChange(removeCarol());
      case "m5" -> MessageContent.groupText(GROUP, 2, text("m5_text"));
      default -> throw new IllegalArgumentException(m);
    };
  }

  /**
   * Message {@code m} sealed by alice's laptop at its timestamp with the real sealer, which draws
   * the message id, K, the nonce and then the ratchet keys of sessions that send for the first
   * time, all from the vector; the ECDSA signature is drawn from a real RNG.
   */
  V2Envelope seal(String m) throws Exception {
    clock.set(Instant.ofEpochMilli(v.number(m + "_timestamp_ms")));
    MessageVector.Scripted random =
        new MessageVector.Scripted()
            .then(v.hex(m + "_message_id"))
            .then(v.hex(m + "_content_key"))
            .then(v.hex(m + "_nonce"));
    List<RecipientDevice> to = new java.util.ArrayList<>();
    for (String t : TARGETS.get(m)) {
      to.add(new RecipientDevice(DeviceVector.person(t), v.key(t).certificateHash()));
      if (v.has(m + "_ratchet_private_" + t)) {
        random.then(v.hex(m + "_ratchet_private_" + t));
      }
    }
    V2MessageSealer sealer =
        new V2MessageSealer(
            devices.get(DeviceVector.SENDER),
            clock,
            random,
            new SecureRandom(),
            MessageVectorFlow.MAX_FRAME);
    // On a thread of its own: the sealer keeps one AES-GCM engine per thread, and the JDK's refuses
    // to encrypt twice in a row under one key and nonce, which several tests sealing this same
    // documented message on one test thread would otherwise ask of it.
    FutureTask<V2Envelope> sealing = new FutureTask<>(() -> sealer.seal(content(m), to, List.of()));
    Thread.ofVirtual().start(sealing).join();
    V2Envelope e;
    try {
      e = sealing.get();
    } catch (ExecutionException failed) {
      throw failed.getCause() instanceof Exception cause ? cause : failed;
    }
    if (!random.usedUp()) {
      throw new IllegalStateException("the sealer drew less randomness than the vector gives");
    }
    return e;
  }

  /**
   * Every value of {@code envelope} (message {@code m}) that does not depend on its signature, each
   * computed as docs/v2/messages.md section 5 says, the ratchet plaintexts decrypted from each
   * target's session without changing it: call before the targets open it.
   */
  Map<String, byte[]> values(String m, V2Envelope envelope) throws Exception {
    Map<String, byte[]> out = new LinkedHashMap<>();
    byte[] prefix = V2Envelope.encodePrefix(envelope.prefix());
    V2Body body = V2Body.decode(envelope.body(), envelope.prefix());
    byte[] aad = V2Crypto.contentAad(prefix, body.senderDevice());
    out.put(m + "_prefix", prefix);
    out.put(m + "_content_plaintext", content(m).encode());
    out.put(m + "_content_aad", aad);
    out.put(m + "_ciphertext", body.ciphertext());
    List<String> targets = TARGETS.get(m);
    for (int i = 0; i < targets.size(); i++) {
      String t = targets.get(i);
      V2Body.Entry entry = body.entries().get(i);
      byte[] extraAd =
          V2Crypto.ratchetExtraAd(
              prefix, body.senderDevice(), entry.recipientDevice(), entry.sessionId());
      StoredSession s =
          stores.get(t).sessions("alice").stream()
              .filter(x -> java.util.Arrays.equals(x.sessionId(), entry.sessionId()))
              .findFirst()
              .orElseThrow();
      byte[] plaintext =
          RatchetState.fromBytes(s.ratchetState())
              .decrypt(entry.ratchetMessage(), extraAd, clock.instant(), new SecureRandom())
              .plaintext();
      out.put(m + "_" + t + "_ratchet_plaintext", plaintext);
      out.put(m + "_" + t + "_ratchet_extra_ad", extraAd);
      out.put(m + "_" + t + "_ratchet_message", entry.ratchetMessage());
    }
    out.put(m + "_body", envelope.body());
    out.put(m + "_signed_bytes", envelope.signedBytes());
    return out;
  }

  /** {@code envelope} opened by {@code device} with the real opener, at the clock's time. */
  OpenedMessage open(String device, byte[] envelope) throws Exception {
    return new V2MessageOpener(
            devices.get(device),
            verifier,
            ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock),
            clock,
            AcceptancePolicy.DEFAULT,
            SenderRevocations.NONE,
            PeerVersions.NONE,
            new SecureRandom())
        .open(envelope);
  }

  /**
   * The {@code devices} entries of a {@code send} of message {@code m}: every device it seals to.
   */
  List<String> sendDevices(String m) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (String t : TARGETS.get(m)) {
      out.add(
          DeviceVector.person(t)
              + ":"
              + java.util.HexFormat.of().formatHex(v.key(t).certificateHash()));
    }
    return out;
  }
}
