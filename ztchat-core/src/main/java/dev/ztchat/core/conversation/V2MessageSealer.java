package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.CipherParameters;
import dev.ztchat.core.envelope.ContentKind;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.ratchet.RatchetState;
import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.InitialMessageHeader;
import dev.ztchat.core.session.InitiatorStart;
import dev.ztchat.core.session.LedgerCommitment;
import dev.ztchat.core.session.MalformedSessionDataException;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.SessionInitiator;
import dev.ztchat.core.session.SessionSetupException;
import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Seals version-2 messages (docs/v2/messages.md section 5): one fresh content key per message, the
 * content encrypted once under it, and the key delivered to each recipient device through the
 * ratchet of this device's most recently used session with it, or of a session started here from
 * the device's prekey bundle. The envelope is signed with this device's key.
 *
 * <p>Use: ask {@link #devicesNeedingBundles} which devices have no session, fetch and verify their
 * bundles (certificate chain, role DEVICE, the user's name, revocation), then {@link #seal}. Every
 * state change (ratchets, ledgers) is saved through the {@link SessionStore} before {@link #seal}
 * returns, so the envelope may be sent as soon as it is returned; an envelope that is then not sent
 * leaves a gap the peer's ledger reports as lost.
 *
 * <p>Security guarantees: only the listed devices can read the content; each learns it through its
 * own session, so a compromise of one device's session does not expose the others' later messages.
 * Not guaranteed: that the listed devices are the right ones (the caller's directory says that).
 * Thread-safe: the sealer and opener of one {@link V2Device} take its lock.
 */
public final class V2MessageSealer {
  private final V2Device device;
  private final Clock clock;
  private final SecureRandom random;
  private final SecureRandom signatureRandom;
  private final int maxEnvelopeBytes;

  /**
   * A sealer for {@code device} that keeps envelopes within what a relay with frame limit {@code
   * maxFrame} (the {@code maxFrame} of its {@code welcome}) delivers.
   */
  public V2MessageSealer(V2Device device, Clock clock, SecureRandom random, int maxFrame) {
    this(device, clock, random, random, maxFrame);
  }

  /**
   * As above, the envelope signature's randomness apart: for the test vector, whose ECDSA
   * signatures are randomized while every other value is reproduced.
   */
  V2MessageSealer(
      V2Device device,
      Clock clock,
      SecureRandom random,
      SecureRandom signatureRandom,
      int maxFrame) {
    this.device = requireNonNull(device, "device");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
    this.signatureRandom = requireNonNull(signatureRandom, "signatureRandom");
    if (maxFrame <= 0) {
      throw new IllegalArgumentException("maxFrame must be positive, not " + maxFrame);
    }
    this.maxEnvelopeBytes = ProtocolLimits.maxEnvelopeBytes(maxFrame);
  }

  /** The devices of {@code peer} this device has a session with, most recently used first. */
  public List<RecipientDevice> devicesWithSessions(String peer) throws IOException {
    LinkedHashSet<RecipientDevice> out = new LinkedHashSet<>();
    for (StoredSession s : device.store().sessions(peer)) {
      out.add(new RecipientDevice(peer, s.peerDevice()));
    }
    return List.copyOf(out);
  }

  /**
   * The device certificate (DER) that this device's current session with {@code target} was set up
   * with, if there is a session: the caller checks that it is still valid and not revoked before it
   * seals to that device (the sealer does not consult the CA's revocation list).
   */
  public Optional<byte[]> sessionCertificate(RecipientDevice target) throws IOException {
    synchronized (device.lock()) {
      return current(target).map(StoredSession::peerCertificate);
    }
  }

  /**
   * Those of {@code devices} this device has no session with: {@link #seal} needs a verified prekey
   * bundle for each of them.
   */
  public List<RecipientDevice> devicesNeedingBundles(List<RecipientDevice> devices)
      throws IOException {
    List<RecipientDevice> out = new ArrayList<>();
    synchronized (device.lock()) {
      for (RecipientDevice d : devices) {
        if (current(d).isEmpty()) {
          out.add(d);
        }
      }
    }
    return out;
  }

  /**
   * Seals {@code content} to {@code devices} (at least one; the prefix names their users in order
   * of first appearance). A device with no session needs its bundle in {@code bundles}, which the
   * caller verified (chain, role DEVICE, name, revocation); bundles of devices that have a session
   * are not used.
   *
   * @throws IllegalArgumentException when a device has neither a session nor a bundle, or its
   *     bundle's certificate names another user
   * @throws SessionSetupException when a bundle does not verify (its prekey signatures or key)
   * @throws EnvelopeTooLargeException when the envelope would not fit; nothing was saved
   * @throws IOException when the session store fails; nothing is to be sent
   */
  public V2Envelope seal(
      MessageContent content, List<RecipientDevice> devices, List<PrekeyBundle> bundles)
      throws IOException, SessionSetupException, EnvelopeTooLargeException {
    return sealChecked(content, devices, bundles, bytes(16), false, false).envelope();
  }

  /**
   * As {@link #seal(MessageContent, List, List)}, under the message id {@code messageId} (16
   * bytes): the parts of one group message split across envelopes share their id, each part to
   * other devices (docs/v2/groups.md section 7.1). The caller MUST NOT seal one id twice to one
   * device unless the first envelope was refused by the relay; sealed again while the device has
   * not confirmed it, it keeps its conversation-ledger number, so that device is told of no gap.
   */
  public V2Envelope seal(
      MessageContent content,
      List<RecipientDevice> devices,
      List<PrekeyBundle> bundles,
      byte[] messageId)
      throws IOException, SessionSetupException, EnvelopeTooLargeException {
    return sealChecked(content, devices, bundles, messageId, false, true).envelope();
  }

  /**
   * As {@link #seal(MessageContent, List, List, byte[])} for a group change (content kind 4), with
   * the change's forwardable record (docs/v2/groups.md section 6.6): this device's certificate, the
   * very envelope returned and the content key it was sealed under. So the record a device keeps of
   * its own change is byte for byte the envelope its members got, and nothing is signed twice.
   *
   * <p>Warning: the record holds the content key. It opens this envelope's content only (the
   * change, whose state names the members anyway) and is handed out for a change only, never for a
   * text; {@link SealedChange#destroy()} it once kept.
   *
   * @throws IllegalArgumentException when {@code change} is not a group change
   */
  public SealedChange sealChange(
      MessageContent change,
      List<RecipientDevice> devices,
      List<PrekeyBundle> bundles,
      byte[] messageId)
      throws IOException, SessionSetupException, EnvelopeTooLargeException {
    if (requireNonNull(change, "change").kind() != ContentKind.GROUP_CHANGE) {
      throw new IllegalArgumentException(
          "only a group change is sealed with its record, not content kind " + change.kind());
    }
    Sealing s = sealChecked(change, devices, bundles, messageId, true, true);
    return new SealedChange(s.envelope(), s.record());
  }

  /** An envelope, and its record when one was asked for (else null). */
  private record Sealing(V2Envelope envelope, ForwardedChange record) {}

  private Sealing sealChecked(
      MessageContent content,
      List<RecipientDevice> devices,
      List<PrekeyBundle> bundles,
      byte[] messageId,
      boolean withRecord,
      boolean givenId)
      throws IOException, SessionSetupException, EnvelopeTooLargeException {
    requireNonNull(content, "content");
    if (messageId.length != 16) {
      throw new IllegalArgumentException("a message id is 16 bytes");
    }
    requireNonNull(bundles, "bundles");
    List<RecipientDevice> targets = List.copyOf(new LinkedHashSet<>(devices));
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a message goes to at least one device");
    }
    synchronized (device.lock()) {
      return sealLocked(content, targets, bundles, messageId.clone(), withRecord, givenId);
    }
  }

  private record Pending(
      StoredSession session,
      SessionStore.LedgerUpdate ledger,
      ConversationLedger decoded,
      RatchetState next,
      X509Certificate checkedCertificate) {}

  private Sealing sealLocked(
      MessageContent content,
      List<RecipientDevice> targets,
      List<PrekeyBundle> bundles,
      byte[] messageId,
      boolean withRecord,
      boolean givenId)
      throws IOException, SessionSetupException, EnvelopeTooLargeException {
    Instant now = clock.instant();
    LinkedHashSet<String> distinct = new LinkedHashSet<>();
    for (RecipientDevice t : targets) {
      distinct.add(t.name());
    }
    List<String> names = List.copyOf(distinct);
    RoutingPrefix prefix =
        new RoutingPrefix(V2Envelope.VERSION, device.name(), names, now.toEpochMilli(), messageId);
    byte[] encodedPrefix = V2Envelope.encodePrefix(prefix);
    byte[] me = device.deviceId();
    byte[] contentKey = bytes(V2Crypto.CONTENT_KEY_BYTES);
    byte[] nonce = bytes(CipherParameters.GCM_NONCE_BYTES);
    List<V2Body.Entry> entries = new ArrayList<>();
    List<Pending> pending = new ArrayList<>();
    boolean anyInitial = false;
    try {
      for (RecipientDevice target : targets) {
        OptionalLong generation =
            DecodedLedgers.generation(device.store(), target.name(), target.deviceId());
        Optional<DecodedLedgers.KeptSession> kept =
            device.ledgers().session(target.name(), target.deviceId(), generation);
        Optional<StoredSession> existing =
            kept.isPresent() ? kept.map(DecodedLedgers.KeptSession::stored) : current(target);
        byte[] sessionId;
        byte[] startedWith = null; // the bundle's certificate, when this message starts a session
        RatchetState ratchet;
        Optional<InitialMessageHeader> initial = Optional.empty();
        if (existing.isPresent()) {
          sessionId = existing.get().sessionId();
          ratchet = kept.isPresent() ? kept.get().state() : existing.get().ratchet();
          initial = pendingInitial(existing.get());
          anyInitial |= initial.isPresent();
        } else {
          PrekeyBundle bundle = bundleFor(target, bundles);
          InitiatorStart start = SessionInitiator.start(device.key(), bundle, random);
          byte[] sk = start.sk();
          byte[] ad = start.ad();
          try {
            ratchet = RatchetState.initiator(sk, start.responderRatchetKey(), ad);
          } finally {
            Arrays.fill(sk, (byte) 0);
            start.destroy();
          }
          sessionId = V2Crypto.sessionId(ad);
          startedWith = bundle.certificateDer();
          initial = Optional.of(start.header());
          anyInitial = true;
        }
        ConversationLedger ledger =
            device.ledgers().load(device.store(), target.name(), target.deviceId(), generation);
        // A given id may be one sealed before to this device and refused by the relay: it keeps its
        // number (docs/v2/conversation-ledger.md section 2). A new random id cannot be.
        LedgerCommitment commitment =
            givenId ? ledger.outgoingAgain(messageId, now) : ledger.nextOutgoing(messageId, now);
        byte[] plaintext =
            V2Crypto.concat(
                new byte[] {V2Crypto.KEY_PLAINTEXT_FORMAT}, contentKey, commitment.encode());
        RatchetState.Sealed sealed;
        try {
          sealed =
              ratchet.encrypt(
                  plaintext,
                  V2Crypto.ratchetExtraAd(encodedPrefix, me, target.deviceId(), sessionId),
                  now,
                  random);
        } finally {
          Arrays.fill(plaintext, (byte) 0);
        }
        entries.add(
            new V2Body.Entry(
                target.name(), target.deviceId(), sessionId, initial, sealed.message()));
        long lastUsed = kept.isPresent() ? after(kept.get().stored(), now) : lastUsed(target, now);
        pending.add(
            new Pending(
                existing.isPresent()
                    ? existing.get().afterSending(sealed.next(), lastUsed)
                    : StoredSession.ofState(
                        target.name(),
                        target.deviceId(),
                        sessionId,
                        startedWith,
                        sealed.next(),
                        lastUsed,
                        initial.orElseThrow().encode()),
                DecodedLedgers.update(ledger),
                ledger,
                sealed.next(),
                kept.flatMap(DecodedLedgers.KeptSession::checkedCertificate).orElse(null)));
      }
      byte[] plaintext = content.encode();
      byte[] ciphertext;
      try {
        ciphertext =
            V2Crypto.gcmEncrypt(
                contentKey, nonce, V2Crypto.contentAad(encodedPrefix, me), plaintext);
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
      byte[] certificate = anyInitial ? encoded(device.key().certificate()) : new byte[0];
      byte[] body = new V2Body(me, certificate, entries, nonce, ciphertext).encode();
      byte[] signature =
          device.key().signEnvelope(V2Envelope.signedBytes(encodedPrefix, body), signatureRandom);
      V2Envelope envelope = new V2Envelope(prefix, body, signature);
      int length = V2Envelope.encodedLength(encodedPrefix, body.length, signature.length);
      if (length > maxEnvelopeBytes) {
        throw new EnvelopeTooLargeException(length, maxEnvelopeBytes);
      }
      // Made before anything is saved: a record refused (a certificate too long for one) leaves no
      // ratchet step behind.
      ForwardedChange record =
          withRecord
              ? new ForwardedChange(
                  encoded(device.key().certificate()), envelope.encode(), contentKey)
              : null;
      for (Pending p : pending) {
        long generation = device.store().save(p.session(), p.ledger());
        device
            .ledgers()
            .stored(p.session().peer(), p.session().peerDevice(), generation, p.decoded());
        device.ledgers().storedSession(generation, p.session(), p.next(), p.checkedCertificate());
      }
      return new Sealing(envelope, record);
    } finally {
      Arrays.fill(contentKey, (byte) 0);
    }
  }

  /** The most recently used session with {@code target}'s device, if any. */
  private Optional<StoredSession> current(RecipientDevice target) throws IOException {
    return device.store().sessions(target.name()).stream()
        .filter(s -> target.is(s.peer(), s.peerDevice()))
        .findFirst();
  }

  /**
   * The initial-message header of a session this device started and that has not received yet:
   * every message on it repeats the header, so the peer can set the session up from whichever
   * arrives first (section 5.2).
   */
  private static Optional<InitialMessageHeader> pendingInitial(StoredSession session)
      throws IOException {
    if (!session.hasPendingInitial()) {
      return Optional.empty();
    }
    byte[] pending = session.pendingInitial();
    try {
      return Optional.of(InitialMessageHeader.decode(pending));
    } catch (MalformedSessionDataException e) {
      throw new IOException("a stored initial-message header is corrupt: " + e.getMessage(), e);
    }
  }

  /**
   * A last-used time later than every other session with that device's, so that the session just
   * used is the most recent even when the clock has not moved (Sesame's rule, section 5.3).
   */
  private long lastUsed(RecipientDevice target, Instant now) throws IOException {
    return lastUsed(device.store(), target.name(), target.deviceId(), now);
  }

  /**
   * A last-used time later than {@code current}'s, the device's most recently used session (a
   * session kept decoded is that, while its generation holds).
   */
  static long after(StoredSession current, Instant now) {
    return Math.max(now.toEpochMilli(), current.lastUsedMillis() + 1);
  }

  static long lastUsed(SessionStore store, String peer, byte[] peerDevice, Instant now)
      throws IOException {
    long latest = Long.MIN_VALUE;
    for (StoredSession s : store.sessions(peer)) {
      if (s.isWith(peerDevice)) {
        latest = Math.max(latest, s.lastUsedMillis());
      }
    }
    return latest == Long.MIN_VALUE ? now.toEpochMilli() : Math.max(now.toEpochMilli(), latest + 1);
  }

  private static PrekeyBundle bundleFor(RecipientDevice target, List<PrekeyBundle> bundles)
      throws SessionSetupException {
    for (PrekeyBundle b : bundles) {
      if (Arrays.equals(V2Crypto.sha256(b.certificateDer()), target.deviceId())) {
        X509Certificate cert = b.verify();
        if (!target.name().equals(CertificateVerifier.commonName(cert))) {
          throw new IllegalArgumentException(
              "the prekey bundle for a device of " + target.name() + " names someone else");
        }
        return b;
      }
    }
    throw new IllegalArgumentException(
        "no session with "
            + target
            + " and no prekey bundle for it: ask devicesNeedingBundles, fetch those bundles");
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("the device certificate cannot be encoded", e);
    }
  }

  private byte[] bytes(int n) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }

  @Override
  public String toString() {
    return "V2MessageSealer[" + device.name() + "]";
  }
}
