package dev.ztchat.core.ratchet;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.protocol.ProtocolLimits;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One side of a v2 conversation's Double Ratchet with its periodic ML-KEM-768 step
 * (docs/v2/ratchet.md): an immutable value that {@link #encrypt} and {@link #decrypt} turn into the
 * next state.
 *
 * <p>Security guarantees: each message has its own key, used once; keys of earlier messages cannot
 * be derived from a later state (forward secrecy); after each DH ratchet step an attacker who held
 * an earlier state but only watches the wire cannot follow, and after each ML-KEM step even one who
 * can also break X25519 cannot (post-compromise security). A message is authenticated together with
 * the session's associated data, the header and the caller's extra data.
 *
 * <p>Not guaranteed: who the peer is (the session setup and the envelope signature say that);
 * freshness and replay across restarts that lose the state (the caller's replay guard does that).
 *
 * <p>Warning: the caller MUST persist the state returned by {@link #encrypt} before sending its
 * message and MUST NOT use the old state again: two messages sealed from one state would share a
 * key and nonce. An instance refuses a second use once it has encrypted, but a copy read back from
 * old bytes cannot be stopped. The state returned by {@link #decrypt} is to be persisted only once
 * the caller's own checks of the message (signature, replay) have passed; until then the old state
 * stays valid and a failed message leaves no trace in it.
 *
 * <p>Instances are immutable apart from that guard and safe to share between threads, though a
 * conversation's messages are meant to be processed one at a time.
 */
public final class RatchetState {
  /** Most message keys one chain may make the receiver skip (Signal's suggested MAX_SKIP). */
  public static final int MAX_SKIP = 1000;

  /** Most skipped message keys a state holds; the oldest are dropped beyond it. */
  public static final int MAX_SKIPPED_KEYS = 2000;

  /** Skipped message keys older than this are dropped: the receivers' acceptance window. */
  public static final Duration SKIPPED_KEY_MAX_AGE = ProtocolLimits.DEFAULT_MESSAGE_TTL;

  /**
   * A party announces a fresh ML-KEM-768 key at its next DH ratchet step once this many messages
   * (sent and received) passed since the last ML-KEM step: Apple's PQ3 figure.
   */
  public static final int PQ_STEP_MESSAGES = 50;

  /** ... or once this much time passed since the last ML-KEM step, whichever comes first. */
  public static final Duration PQ_STEP_INTERVAL = Duration.ofHours(24);

  /** Length of the session secret and of the associated data that the session setup yields. */
  public static final int SECRET_BYTES = 32;

  /** The ratchet message made by {@link #encrypt} and the state to persist before sending it. */
  public record Sealed(byte[] message, RatchetState next) {}

  /** The plaintext of a message and the state to persist once the caller accepts the message. */
  public record Opened(byte[] plaintext, RatchetState next) {}

  final byte[] ad;
  final byte[] rootKey;
  final X25519.KeyPair sendKey;
  final byte[] receivePublic;
  final byte[] sendChain;
  final long sendN;
  final long previousN;
  final byte[] receiveChain;
  final long receiveN;
  final PrivateKey kemPrivateKey;
  final byte[] kemEncapsulationKey;
  final byte[] sendKemCiphertext;
  final long messagesSincePq;
  final Long lastPqSecond;
  final List<SkippedKey> skipped;
  private final AtomicBoolean spent = new AtomicBoolean();

  RatchetState(MutableRatchet m) {
    this.ad = m.ad;
    this.rootKey = m.rootKey;
    this.sendKey = m.sendKey;
    this.receivePublic = m.receivePublic;
    this.sendChain = m.sendChain;
    this.sendN = m.sendN;
    this.previousN = m.previousN;
    this.receiveChain = m.receiveChain;
    this.receiveN = m.receiveN;
    this.kemPrivateKey = m.kemPrivateKey;
    this.kemEncapsulationKey = m.kemEncapsulationKey;
    this.sendKemCiphertext = m.sendKemCiphertext;
    this.messagesSincePq = m.messagesSincePq;
    this.lastPqSecond = m.lastPqSecond;
    this.skipped = List.copyOf(m.skipped);
  }

  /**
   * The initiator's state: the session secret {@code sk} and associated data {@code ad} of the
   * session setup, and the responder's signed prekey (its raw X25519 public key), which is the
   * responder's first ratchet key.
   */
  public static RatchetState initiator(byte[] sk, byte[] responderPrekey, byte[] ad) {
    MutableRatchet m = new MutableRatchet(secret(sk, "SK"), secret(ad, "AD"));
    m.receivePublic = key(responderPrekey, "the responder's prekey");
    return new RatchetState(m);
  }

  /**
   * The responder's state: the session secret {@code sk} and associated data {@code ad} of the
   * session setup, and the key pair of the signed prekey the initiator used. The responder can send
   * only once it has received the initiator's first message.
   */
  public static RatchetState responder(byte[] sk, X25519.KeyPair prekey, byte[] ad) {
    MutableRatchet m = new MutableRatchet(secret(sk, "SK"), secret(ad, "AD"));
    m.sendKey = requireNonNull(prekey, "prekey");
    return new RatchetState(m);
  }

  /**
   * Seals {@code plaintext}, authenticating {@code extraAd} with it (the envelope's routing prefix;
   * may be empty). {@code now} is the caller's clock, {@code random} the source of fresh keys.
   *
   * @throws IllegalStateException when this state was already used to encrypt, or is a responder's
   *     that has received nothing yet
   */
  public Sealed encrypt(byte[] plaintext, byte[] extraAd, Instant now, SecureRandom random) {
    requireNonNull(plaintext, "plaintext");
    requireNonNull(extraAd, "extraAd");
    requireNonNull(now, "now");
    requireNonNull(random, "random");
    requireUnspent();
    if (sendKey != null && sendChain == null) {
      throw new IllegalStateException("the responder can send only after it has received");
    }
    MutableRatchet m = new MutableRatchet(this);
    byte[] message = m.encrypt(plaintext, extraAd, now, random);
    RatchetState next = new RatchetState(m);
    if (!spent.compareAndSet(false, true)) {
      throw new IllegalStateException("this ratchet state was already used to encrypt");
    }
    return new Sealed(message, next);
  }

  /**
   * Opens {@code message}, authenticating {@code extraAd} with it. On failure this state is
   * unchanged and still to be used; on success the caller persists {@link Opened#next()} once its
   * own checks pass.
   *
   * @throws RatchetException when the message is malformed, forged, replayed or out of bounds
   * @throws IllegalStateException when this state was already used to encrypt
   */
  public Opened decrypt(byte[] message, byte[] extraAd, Instant now, SecureRandom random)
      throws RatchetException {
    requireNonNull(message, "message");
    requireNonNull(extraAd, "extraAd");
    requireNonNull(now, "now");
    requireNonNull(random, "random");
    requireUnspent();
    MutableRatchet m = new MutableRatchet(this);
    byte[] plaintext = m.decrypt(message, extraAd, now, random);
    return new Opened(plaintext, new RatchetState(m));
  }

  /**
   * A copy of this state as {@code fromBytes(toBytes())} would give it, without encoding: its own
   * copies of the secret arrays {@link #destroy} zeroes (the public values and the JCA keys, which
   * nothing writes into, are shared), and not used to encrypt whatever this state was. For a
   * session store that keeps states in memory: destroying or using this state afterwards cannot
   * alter the copy, nor the copy this state.
   *
   * @throws IllegalStateException when this state was used to encrypt (or destroyed): a copy of it
   *     would seal its next message again
   */
  public RatchetState copy() {
    requireUnspent();
    MutableRatchet m = new MutableRatchet(this);
    m.rootKey = rootKey.clone();
    m.sendChain = sendChain == null ? null : sendChain.clone();
    m.receiveChain = receiveChain == null ? null : receiveChain.clone();
    m.skipped.replaceAll(
        k -> new SkippedKey(k.dh(), k.n(), k.messageKey().clone(), k.storedAtSecond()));
    return new RatchetState(m);
  }

  /** The state as bytes, to be stored encrypted (docs/v2/ratchet.md section 8). */
  public byte[] toBytes() {
    return RatchetStateCodec.encode(this);
  }

  /**
   * The state stored by {@link #toBytes}.
   *
   * @throws IllegalArgumentException when {@code bytes} is not a valid version-1 state
   */
  public static RatchetState fromBytes(byte[] bytes) {
    return RatchetStateCodec.decode(requireNonNull(bytes, "bytes"));
  }

  /**
   * Whether this state was used to encrypt: then it is never to be used again, and a caller that
   * keeps states between messages must read its successor (or the stored one) instead.
   */
  public boolean usedToEncrypt() {
    return spent.get();
  }

  /**
   * Zeroes the secret keys this state holds in arrays (root key, chain keys, skipped message keys),
   * for a caller that keeps states between messages and drops one. A state shares these arrays with
   * the states it was derived from and the ones derived from it: only the last state of such a line
   * that anyone still uses may be destroyed, and none of the others used afterwards. The JCA
   * private keys (X25519, ML-KEM) are left to the garbage collector, as everywhere else.
   */
  public void destroy() {
    Arrays.fill(rootKey, (byte) 0);
    wipe(sendChain);
    wipe(receiveChain);
    for (SkippedKey k : skipped) {
      Arrays.fill(k.messageKey(), (byte) 0);
    }
    spent.set(true);
  }

  private static void wipe(byte[] secret) {
    if (secret != null) {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** Number of skipped message keys held. */
  public int skippedKeyCount() {
    return skipped.size();
  }

  /** Whether this state has announced an ML-KEM key that the peer has not yet used. */
  public boolean awaitsPqStep() {
    return kemPrivateKey != null;
  }

  @Override
  public String toString() {
    return "RatchetState[sendN="
        + sendN
        + ", receiveN="
        + receiveN
        + ", skipped="
        + skipped.size()
        + "]";
  }

  private void requireUnspent() {
    if (spent.get()) {
      throw new IllegalStateException(
          "this ratchet state was already used to encrypt: use the state it returned");
    }
  }

  private static byte[] secret(byte[] value, String name) {
    requireNonNull(value, name);
    if (value.length != SECRET_BYTES) {
      throw new IllegalArgumentException(name + " is " + SECRET_BYTES + " bytes");
    }
    return value.clone();
  }

  private static byte[] key(byte[] value, String name) {
    requireNonNull(value, name);
    if (value.length != X25519.KEY_BYTES) {
      throw new IllegalArgumentException(name + " is a raw 32-byte X25519 key");
    }
    return value.clone();
  }
}
