package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.MalformedContentException;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.MessageOpener;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.ratchet.RatchetException;
import dev.ztchat.core.ratchet.RatchetState;
import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.LedgerCommitment;
import dev.ztchat.core.session.LedgerNotice;
import dev.ztchat.core.session.MalformedSessionDataException;
import dev.ztchat.core.session.SessionResponder;
import dev.ztchat.core.session.SessionSetupException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.crypto.AEADBadTagException;

/**
 * Opens version-2 envelopes for one device (docs/v2/messages.md section 6), checking in this order
 * and stopping at the first failure:
 *
 * <ol>
 *   <li>strict decoding of the envelope and its body ({@link MalformedEnvelopeException});
 *   <li>the prefix names me and an entry is for my name and my device ({@link
 *       RejectionReason#NOT_FOR_ME});
 *   <li>the sender's device certificate: for an entry that starts a session, the body's
 *       certificate, whose SHA-256 is the body's sender device; for an existing session, the one
 *       stored with it ({@link RejectionReason#UNKNOWN_SESSION} when there is none); valid now for
 *       role DEVICE and the prefix's sender ({@link RejectionReason#UNTRUSTED_SENDER_CERTIFICATE});
 *   <li>the ECDSA signature over the signed bytes ({@link RejectionReason#BAD_SIGNATURE});
 *   <li>the certificate is not revoked for a message of that date ({@link
 *       RejectionReason#SENDER_REVOKED});
 *   <li>the timestamp is inside the acceptance window ({@link RejectionReason#STALE}, {@link
 *       RejectionReason#FROM_THE_FUTURE});
 *   <li>the (sender, message id) pair is new, and is recorded ({@link RejectionReason#REPLAY});
 *   <li>the session is set up (initial entry) and the ratchet message decrypts ({@link
 *       RejectionReason#DECRYPTION_FAILED});
 *   <li>the content key and ledger commitment parse, the content decrypts and parses ({@link
 *       RejectionReason#DECRYPTION_FAILED}, {@link RejectionReason#MALFORMED_CONTENT});
 *   <li>commit: the one-time prekey is used up, then prekeys, ratchet state and ledger are saved,
 *       and the sender is recorded as speaking version 2.
 * </ol>
 *
 * <p>Nothing is saved before step 10 (apart from the replay guard's record at step 7, for the
 * reasons of docs/PROTOCOL.md section 7): a forged or damaged message leaves every session as it
 * was. Failures of steps 8 and 9 carry no detail, so they are no oracle. A failure of the session
 * store is an {@link UncheckedIOException}: nothing was shown, and the caller releases the message
 * id so the relay's next delivery is opened.
 *
 * <p>Thread-safe: the opener and the sealer of one {@link V2Device} take its lock.
 */
public final class V2MessageOpener implements MessageOpener {
  private final V2Device device;
  private final CertificateVerifier verifier;
  private final ReplayGuard replayGuard;
  private final Clock clock;
  private final AcceptancePolicy policy;
  private final SenderRevocations revocations;
  private final PeerVersions peerVersions;
  private final SecureRandom random;

  /**
   * An opener for {@code device}; {@code replayGuard} must keep ids at least as long as {@code
   * policy} requires; {@code peerVersions} learns that each sender whose message opened speaks
   * version 2.
   */
  public V2MessageOpener(
      V2Device device,
      CertificateVerifier rootVerifier,
      ReplayGuard replayGuard,
      Clock clock,
      AcceptancePolicy policy,
      SenderRevocations revocations,
      PeerVersions peerVersions,
      SecureRandom random) {
    this.device = requireNonNull(device, "device");
    this.verifier = requireNonNull(rootVerifier, "rootVerifier");
    this.replayGuard = requireNonNull(replayGuard, "replayGuard");
    this.clock = requireNonNull(clock, "clock");
    this.policy = requireNonNull(policy, "policy");
    this.revocations = requireNonNull(revocations, "revocations");
    this.peerVersions = requireNonNull(peerVersions, "peerVersions");
    this.random = requireNonNull(random, "random");
    if (replayGuard.policy().retention().compareTo(policy.retention()) < 0) {
      throw new IllegalArgumentException(
          "the replay guard keeps ids for less time than the acceptance policy needs");
    }
  }

  @Override
  public int version() {
    return V2Envelope.VERSION;
  }

  @Override
  public RoutingPrefix prefixOf(byte[] envelope) throws MalformedEnvelopeException {
    return V2Envelope.decode(envelope).prefix();
  }

  @Override
  public OpenedMessage open(byte[] bytes)
      throws MalformedEnvelopeException, EnvelopeRejectedException {
    V2Envelope envelope = V2Envelope.decode(bytes);
    RoutingPrefix prefix = envelope.prefix();
    V2Body body = V2Body.decode(envelope.bodyView(), prefix);
    synchronized (device.lock()) {
      try {
        return openLocked(bytes, envelope, prefix, body);
      } catch (IOException e) {
        throw new UncheckedIOException("the session store failed; the message was not opened", e);
      }
    }
  }

  /**
   * What check 3 found: the sender's certificate, the session the entry continues, that session as
   * kept decoded if it is, and the store's generation of the ledger with the sender's device.
   */
  private record Sender(
      X509Certificate certificate,
      byte[] der,
      Optional<StoredSession> session,
      Optional<DecodedLedgers.KeptSession> kept,
      OptionalLong generation) {}

  private OpenedMessage openLocked(
      byte[] bytes, V2Envelope envelope, RoutingPrefix prefix, V2Body body)
      throws EnvelopeRejectedException, IOException {
    Instant now = clock.instant();
    // 2. addressed to me
    byte[] me = device.deviceId();
    Optional<V2Body.Entry> mine =
        prefix.recipients().contains(device.name())
            ? body.entryFor(device.name(), me)
            : Optional.empty();
    if (mine.isEmpty()) {
      if (prefix.recipients().contains(device.name())
          && signedByAKnownSenderDevice(bytes, envelope, prefix, body, now)) {
        throw reject(RejectionReason.FOR_MY_OTHER_DEVICES, prefix, null);
      }
      throw reject(RejectionReason.NOT_FOR_ME, prefix, null);
    }
    V2Body.Entry entry = mine.get();
    // 3. the sender's device certificate
    Sender sender = sender(prefix, body, entry, now);
    // 4. signature, over the envelope's bytes up to its signature's u16 length (decoding was
    // strict:
    // nothing follows the signature), which are exactly its signed bytes
    byte[] signature = envelope.signature();
    if (!DeviceKey.verifyEnvelope(
        sender.certificate(), bytes, bytes.length - 2 - signature.length, signature)) {
      throw reject(RejectionReason.BAD_SIGNATURE, prefix, null);
    }
    // 5. revocation
    Instant written = Instant.ofEpochMilli(prefix.timestampMillis());
    Optional<String> revoked = revocations.refusal(sender.certificate(), written);
    if (revoked.isPresent()) {
      throw reject(RejectionReason.SENDER_REVOKED, prefix, revoked.get());
    }
    // 6. freshness
    checkFresh(prefix, now);
    // 7. replay, recorded before decryption (docs/PROTOCOL.md section 7)
    if (!replayGuard.firstSighting(prefix.sender(), prefix.messageId(), prefix.timestampMillis())) {
      throw reject(RejectionReason.REPLAY, prefix, null);
    }
    return decryptAndCommit(
        V2Envelope.encodedPrefix(bytes, envelope), prefix, body, entry, sender, now);
  }

  /**
   * For an envelope naming me with no entry for this device (check 2): whether a certificate this
   * device already holds for the sender's device (one of its sessions', else the body's own whose
   * hash is the sender device) is valid and verifies the signature, so that the envelope was sealed
   * for my other devices and nothing is wrong. A signature that does not verify with such a
   * certificate is refused as {@link RejectionReason#BAD_SIGNATURE}: the envelope was altered.
   */
  private boolean signedByAKnownSenderDevice(
      byte[] bytes, V2Envelope envelope, RoutingPrefix prefix, V2Body body, Instant now)
      throws EnvelopeRejectedException, IOException {
    byte[] senderDevice = body.senderDevice();
    Optional<byte[]> der =
        device.store().sessions(prefix.sender()).stream()
            .filter(s -> Arrays.equals(s.peerDevice(), senderDevice))
            .map(StoredSession::peerCertificate)
            .findFirst()
            .or(
                () ->
                    body.certificate()
                        .filter(c -> MessageDigest.isEqual(V2Crypto.sha256(c), senderDevice)));
    if (der.isEmpty()) {
      return false;
    }
    X509Certificate certificate;
    try {
      certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der.get()));
      verifier.verify(certificate, prefix.sender(), CertificateRole.DEVICE, now);
    } catch (CertificateException | ClassCastException | CertificateRejectedException e) {
      return false;
    }
    byte[] signature = envelope.signature();
    if (!DeviceKey.verifyEnvelope(
        certificate, bytes, bytes.length - 2 - signature.length, signature)) {
      throw reject(RejectionReason.BAD_SIGNATURE, prefix, null);
    }
    return true;
  }

  private Sender sender(RoutingPrefix prefix, V2Body body, V2Body.Entry entry, Instant now)
      throws EnvelopeRejectedException, IOException {
    byte[] senderDevice = body.senderDevice();
    OptionalLong generation =
        DecodedLedgers.generation(device.store(), prefix.sender(), senderDevice);
    Optional<DecodedLedgers.KeptSession> kept =
        device
            .ledgers()
            .session(prefix.sender(), senderDevice, generation)
            .filter(k -> k.isSession(entry.sessionId()));
    Optional<StoredSession> session =
        kept.isPresent()
            ? kept.map(DecodedLedgers.KeptSession::stored)
            : device.store().sessions(prefix.sender()).stream()
                .filter(s -> s.is(senderDevice, entry.sessionId()))
                .findFirst();
    byte[] der;
    if (session.isPresent()) {
      // An initial entry restating a session already set up continues it.
      der = session.get().peerCertificate();
    } else if (entry.initial().isPresent()) {
      der = body.certificate().orElseThrow(); // decoding demands it for an initial entry
      if (!MessageDigest.isEqual(V2Crypto.sha256(der), senderDevice)) {
        throw reject(
            RejectionReason.UNTRUSTED_SENDER_CERTIFICATE,
            prefix,
            "the certificate is not the sender device's");
      }
    } else {
      throw reject(RejectionReason.UNKNOWN_SESSION, prefix, null);
    }
    Optional<X509Certificate> checked =
        kept.flatMap(DecodedLedgers.KeptSession::checkedCertificate);
    X509Certificate certificate;
    if (checked.isPresent() && validAt(checked.get(), now)) {
      // Parsed and checked for this sender when it was kept; only its dates can have changed.
      certificate = checked.get();
    } else {
      try {
        certificate =
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        verifier.verify(certificate, prefix.sender(), CertificateRole.DEVICE, now);
      } catch (CertificateException | ClassCastException e) {
        throw reject(
            RejectionReason.UNTRUSTED_SENDER_CERTIFICATE, prefix, "the certificate is not X.509");
      } catch (CertificateRejectedException e) {
        throw reject(RejectionReason.UNTRUSTED_SENDER_CERTIFICATE, prefix, e.getMessage());
      }
    }
    return new Sender(certificate, der, session, kept, generation);
  }

  private static boolean validAt(X509Certificate certificate, Instant now) {
    try {
      certificate.checkValidity(Date.from(now));
      return true;
    } catch (CertificateException e) {
      return false;
    }
  }

  private void checkFresh(RoutingPrefix prefix, Instant now) throws EnvelopeRejectedException {
    long nowMillis = now.toEpochMilli();
    long ts = prefix.timestampMillis();
    // "ts < now - window", not "now - ts > window": ts is any 64-bit value and must not overflow.
    if (ts < nowMillis - policy.window().toMillis()) {
      throw reject(
          RejectionReason.STALE, prefix, "sent at " + Instant.ofEpochMilli(ts) + ", now " + now);
    }
    if (ts > nowMillis + policy.maxFutureSkew().toMillis()) {
      throw reject(
          RejectionReason.FROM_THE_FUTURE,
          prefix,
          "dated " + Instant.ofEpochMilli(ts) + ", now " + now);
    }
  }

  private OpenedMessage decryptAndCommit(
      byte[] encodedPrefix,
      RoutingPrefix prefix,
      V2Body body,
      V2Body.Entry entry,
      Sender sender,
      Instant now)
      throws EnvelopeRejectedException, IOException {
    byte[] senderDevice = body.senderDevice();
    // 8. session and ratchet
    SessionResponder.Accepted accepted = null;
    RatchetState state;
    if (sender.kept().isPresent()) {
      state = sender.kept().get().state();
    } else if (sender.session().isPresent()) {
      state = sender.session().get().ratchet();
    } else {
      try {
        accepted =
            SessionResponder.accept(
                device.prekeys(),
                device.key(),
                sender.certificate(),
                entry.initial().orElseThrow());
      } catch (SessionSetupException e) {
        throw reject(RejectionReason.DECRYPTION_FAILED, prefix, null);
      }
      byte[] sk = accepted.start().sk();
      byte[] ad = accepted.start().ad();
      try {
        if (!MessageDigest.isEqual(V2Crypto.sessionId(ad), entry.sessionId())) {
          throw reject(RejectionReason.DECRYPTION_FAILED, prefix, null);
        }
        state = RatchetState.responder(sk, accepted.start().ratchetKeyPair(), ad);
      } finally {
        Arrays.fill(sk, (byte) 0);
        accepted.start().destroy();
      }
    }
    RatchetState.Opened opened;
    try {
      opened =
          state.decrypt(
              entry.ratchetMessage(),
              V2Crypto.ratchetExtraAd(
                  encodedPrefix, senderDevice, device.deviceId(), entry.sessionId()),
              now,
              random);
    } catch (RatchetException e) {
      throw reject(RejectionReason.DECRYPTION_FAILED, prefix, null);
    }
    // 9. content key, commitment, content
    byte[] keyPlaintext = opened.plaintext();
    byte[] contentKey = null;
    byte[] plaintext = null;
    try {
      if (keyPlaintext.length < 1 + V2Crypto.CONTENT_KEY_BYTES
          || keyPlaintext[0] != V2Crypto.KEY_PLAINTEXT_FORMAT) {
        throw reject(RejectionReason.MALFORMED_CONTENT, prefix, "the key plaintext is malformed");
      }
      contentKey = Arrays.copyOfRange(keyPlaintext, 1, 1 + V2Crypto.CONTENT_KEY_BYTES);
      LedgerCommitment commitment;
      try {
        commitment =
            LedgerCommitment.decode(
                Arrays.copyOfRange(
                    keyPlaintext, 1 + V2Crypto.CONTENT_KEY_BYTES, keyPlaintext.length));
      } catch (MalformedSessionDataException e) {
        throw reject(RejectionReason.MALFORMED_CONTENT, prefix, "the ledger commitment");
      }
      try {
        plaintext =
            V2Crypto.gcmDecrypt(
                contentKey,
                body.nonce(),
                V2Crypto.contentAad(encodedPrefix, senderDevice),
                body.ciphertext());
      } catch (AEADBadTagException e) {
        throw reject(RejectionReason.DECRYPTION_FAILED, prefix, null);
      }
      MessageContent content;
      try {
        content = MessageContent.decode(plaintext);
      } catch (MalformedContentException e) {
        throw reject(RejectionReason.MALFORMED_CONTENT, prefix, e.getMessage());
      }
      // 10. commit
      List<LedgerNotice> notices =
          commit(prefix, senderDevice, entry, sender, accepted, opened, commitment, now);
      return OpenedMessage.ofVersion2(prefix, content, notices, sender.der(), contentKey);
    } finally {
      Arrays.fill(keyPlaintext, (byte) 0);
      if (contentKey != null) {
        Arrays.fill(contentKey, (byte) 0);
      }
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  private List<LedgerNotice> commit(
      RoutingPrefix prefix,
      byte[] senderDevice,
      V2Body.Entry entry,
      Sender sender,
      SessionResponder.Accepted accepted,
      RatchetState.Opened opened,
      LedgerCommitment commitment,
      Instant now)
      throws EnvelopeRejectedException, IOException {
    if (accepted != null) {
      try {
        accepted.commit();
      } catch (SessionSetupException e) {
        throw reject(RejectionReason.DECRYPTION_FAILED, prefix, null);
      }
      device.store().savePrekeys(device.prekeys().toBytes());
    }
    ConversationLedger ledger =
        device.ledgers().load(device.store(), prefix.sender(), senderDevice, sender.generation());
    List<LedgerNotice> notices =
        ledger
            .receive(
                commitment, prefix.messageId(), Instant.ofEpochMilli(prefix.timestampMillis()), now)
            .notices();
    SessionStore.LedgerUpdate update = DecodedLedgers.update(ledger);
    long lastUsed =
        sender.kept().isPresent()
            ? V2MessageSealer.after(sender.kept().get().stored(), now)
            : V2MessageSealer.lastUsed(device.store(), prefix.sender(), senderDevice, now);
    StoredSession session =
        sender.session().isPresent()
            ? sender.session().get().afterReceiving(opened.next(), lastUsed)
            : StoredSession.ofState(
                prefix.sender(),
                senderDevice,
                entry.sessionId(),
                sender.der(),
                opened.next(),
                lastUsed,
                new byte[0]);
    long generation = device.store().save(session, update);
    device.ledgers().stored(prefix.sender(), senderDevice, generation, ledger);
    device.ledgers().storedSession(generation, session, opened.next(), sender.certificate());
    peerVersions.proved(prefix.sender(), V2Envelope.VERSION);
    return notices;
  }

  private static EnvelopeRejectedException reject(
      RejectionReason reason, RoutingPrefix prefix, String detail) {
    return new EnvelopeRejectedException(reason, prefix, detail);
  }

  @Override
  public String toString() {
    return "V2MessageOpener[" + device.name() + "]";
  }
}
