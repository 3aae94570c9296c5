package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A device's prekeys with their private halves (docs/v2/session-setup.md section 3.3): the current
 * signed X25519 prekey and, for {@link #SIGNED_PREKEY_GRACE} after a rotation, the previous one;
 * the one-time ML-KEM-768 prekeys, each deleted when a session that used it is committed; and the
 * last-resort ML-KEM-768 prekey, which is kept.
 *
 * <p>{@link #toBytes()} holds private keys: the client stores it only inside its encrypted store
 * (files 0600). Thread-safe: every method is synchronised on the store.
 */
public final class PrekeyStore {
  /** How often the signed prekey should be replaced. */
  public static final Duration SIGNED_PREKEY_ROTATION = Duration.ofDays(14);

  /**
   * How long a replaced signed prekey still opens initial messages: the relay keeps a message up to
   * 7 days, plus a day for clock skew and the acceptance window.
   */
  public static final Duration SIGNED_PREKEY_GRACE = Duration.ofDays(8);

  /** Most one-time prekeys held at once. */
  public static final int MAX_ONE_TIME = 1000;

  static final int STATE_VERSION = 1;

  private record Spk(SignedPrekey published, X25519.KeyPair keys, Instant at) {}

  private record Kem(SignedPrekey published, PrivateKey privateKey) {}

  private final byte[] certificateHash;
  private long nextId;
  private Spk current;
  private Spk previous;
  private Kem lastResort;
  private final Map<Long, Kem> oneTime = new LinkedHashMap<>();

  private PrekeyStore(byte[] certificateHash, long nextId) {
    this.certificateHash = certificateHash;
    this.nextId = nextId;
  }

  /**
   * Generates a signed prekey, a last-resort prekey and {@code oneTimeCount} one-time prekeys for
   * {@code device}, all signed by it.
   */
  public static PrekeyStore generate(
      DeviceKey device, int oneTimeCount, Instant now, SecureRandom random) {
    requireNonNull(now, "now");
    PrekeyStore store = new PrekeyStore(device.certificateHash(), 1);
    store.current = store.newSignedPrekey(device, now, random);
    store.lastResort = store.newKem(device, PrekeyKind.LAST_RESORT_ML_KEM_768, random);
    store.addOneTimePrekeys(device, oneTimeCount, random);
    return store;
  }

  /**
   * A store holding the given signed prekey and one-time prekey (and a fresh last-resort prekey):
   * how the test vector's fixed keys get into a store.
   */
  static PrekeyStore withKeys(
      DeviceKey device,
      SignedPrekey signedPrekey,
      X25519.KeyPair signedPrekeyKeys,
      SignedPrekey oneTimePrekey,
      PrivateKey oneTimeKey,
      Instant now,
      SecureRandom random) {
    long next = Math.max(signedPrekey.id(), oneTimePrekey.id()) + 1;
    PrekeyStore store = new PrekeyStore(device.certificateHash(), next);
    store.current = new Spk(signedPrekey, signedPrekeyKeys, now);
    store.lastResort = store.newKem(device, PrekeyKind.LAST_RESORT_ML_KEM_768, random);
    store.oneTime.put(oneTimePrekey.id(), new Kem(oneTimePrekey, oneTimeKey));
    return store;
  }

  /** Adds {@code count} one-time prekeys and returns them, to be published. */
  public synchronized List<SignedPrekey> addOneTimePrekeys(
      DeviceKey device, int count, SecureRandom random) {
    requireDevice(device);
    if (count < 0 || oneTime.size() + count > MAX_ONE_TIME) {
      throw new IllegalArgumentException(
          "one-time prekeys: " + oneTime.size() + " held, at most " + MAX_ONE_TIME + " allowed");
    }
    List<SignedPrekey> added = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Kem k = newKem(device, PrekeyKind.ONE_TIME_ML_KEM_768, random);
      oneTime.put(k.published().id(), k);
      added.add(k.published());
    }
    return added;
  }

  /** True when the signed prekey is older than {@link #SIGNED_PREKEY_ROTATION}. */
  public synchronized boolean rotationDue(Instant now) {
    return !now.isBefore(current.at().plus(SIGNED_PREKEY_ROTATION));
  }

  /**
   * Replaces the signed prekey with a fresh one (returned, to be published); the replaced one keeps
   * opening initial messages for {@link #SIGNED_PREKEY_GRACE}. A second rotation within that grace
   * drops the one before.
   */
  public synchronized SignedPrekey rotateSignedPrekey(
      DeviceKey device, Instant now, SecureRandom random) {
    requireDevice(device);
    Spk fresh = newSignedPrekey(device, now, random);
    previous = new Spk(current.published(), current.keys(), now);
    current = fresh;
    return fresh.published();
  }

  /** Forgets the previous signed prekey once its grace has passed. */
  public synchronized void dropExpired(Instant now) {
    if (previous != null && !now.isBefore(previous.at().plus(SIGNED_PREKEY_GRACE))) {
      previous = null;
    }
  }

  public synchronized SignedPrekey signedPrekey() {
    return current.published();
  }

  public synchronized SignedPrekey lastResortPrekey() {
    return lastResort.published();
  }

  /** The one-time prekeys not yet used, oldest first. */
  public synchronized List<SignedPrekey> oneTimePrekeys() {
    return oneTime.values().stream().map(Kem::published).toList();
  }

  /** SHA-256 of the certificate of the device these prekeys belong to. */
  public byte[] certificateHash() {
    return certificateHash.clone();
  }

  private Spk findSpk(long id) {
    if (current.published().id() == id) {
      return current;
    }
    return previous != null && previous.published().id() == id ? previous : null;
  }

  synchronized SignedPrekey signedPrekeyPublished(long id) {
    Spk s = findSpk(id);
    return s == null ? null : s.published();
  }

  synchronized X25519.KeyPair signedPrekeyKeys(long id) {
    Spk s = findSpk(id);
    return s == null ? null : s.keys();
  }

  /** The published half of the ML-KEM prekey of {@code kind} and {@code id}, or null. */
  synchronized SignedPrekey kemPublished(PrekeyKind kind, long id) {
    Kem k = kem(kind, id);
    return k == null ? null : k.published();
  }

  synchronized PrivateKey kemPrivateKey(PrekeyKind kind, long id) {
    Kem k = kem(kind, id);
    return k == null ? null : k.privateKey();
  }

  private Kem kem(PrekeyKind kind, long id) {
    return switch (kind) {
      case ONE_TIME_ML_KEM_768 -> oneTime.get(id);
      case LAST_RESORT_ML_KEM_768 -> lastResort.published().id() == id ? lastResort : null;
      case SIGNED_X25519 -> null;
    };
  }

  /** Deletes a one-time prekey; false when it was already gone. */
  synchronized boolean consumeOneTime(long id) {
    return oneTime.remove(id) != null;
  }

  void requireDevice(DeviceKey device) {
    if (!MessageDigest.isEqual(device.certificateHash(), certificateHash)) {
      throw new IllegalArgumentException("this prekey store belongs to another device");
    }
  }

  private long takeId() {
    if (nextId > SignedPrekey.MAX_ID) {
      throw new IllegalStateException("prekey ids are exhausted: generate a new prekey store");
    }
    return nextId++;
  }

  private Spk newSignedPrekey(DeviceKey device, Instant now, SecureRandom random) {
    X25519.KeyPair keys = X25519.generate(random);
    return new Spk(
        SignedPrekey.sign(device, PrekeyKind.SIGNED_X25519, takeId(), keys.publicKey(), random),
        keys,
        now);
  }

  private Kem newKem(DeviceKey device, PrekeyKind kind, SecureRandom random) {
    KeyPair keys = MlKem768.generate(random);
    byte[] publicKey = MlKem768.rawPublicKey(keys.getPublic());
    return new Kem(SignedPrekey.sign(device, kind, takeId(), publicKey, random), keys.getPrivate());
  }

  /**
   * {@code 01}, certificate hash (32), next id (u32), current signed prekey, previous flag (u8) and
   * prekey, last-resort prekey, one-time count (u16) and prekeys (section 3.3).
   */
  public synchronized byte[] toBytes() {
    ByteWriter w = new ByteWriter().u8(STATE_VERSION).bytes(certificateHash).u32(nextId);
    writeSpk(w, current);
    w.u8(previous == null ? 0 : 1);
    if (previous != null) {
      writeSpk(w, previous);
    }
    writeKem(w, lastResort);
    w.u16(oneTime.size());
    oneTime.values().forEach(k -> writeKem(w, k));
    return w.toByteArray();
  }

  private static void writeSpk(ByteWriter w, Spk s) {
    byte[] raw = s.keys().rawPrivateKey();
    w.bytes16(s.published().encode()).bytes(raw).u64(s.at().toEpochMilli());
    Arrays.fill(raw, (byte) 0);
  }

  private static void writeKem(ByteWriter w, Kem k) {
    byte[] pkcs8 = MlKem768.encodedPrivateKey(k.privateKey());
    w.bytes16(k.published().encode()).bytes16(pkcs8);
    Arrays.fill(pkcs8, (byte) 0);
  }

  /** Restores a store from {@link #toBytes()}; strict, and checks every key pair matches. */
  public static PrekeyStore fromBytes(byte[] bytes) throws MalformedSessionDataException {
    ByteReader r = new ByteReader(bytes, "prekey store");
    try {
      int version = r.u8();
      if (version != STATE_VERSION) {
        throw new MalformedSessionDataException("prekey store version " + version);
      }
      PrekeyStore store = new PrekeyStore(r.bytes(32), r.u32());
      store.current = readSpk(r);
      int flag = r.u8();
      if (flag > 1) {
        throw new MalformedSessionDataException("prekey store: bad flag");
      }
      store.previous = flag == 1 ? readSpk(r) : null;
      store.lastResort = readKem(r, PrekeyKind.LAST_RESORT_ML_KEM_768);
      int n = r.u16();
      if (n > MAX_ONE_TIME) {
        throw new MalformedSessionDataException("prekey store: too many one-time prekeys");
      }
      for (int i = 0; i < n; i++) {
        Kem k = readKem(r, PrekeyKind.ONE_TIME_ML_KEM_768);
        if (store.oneTime.put(k.published().id(), k) != null) {
          throw new MalformedSessionDataException("prekey store: repeated one-time prekey id");
        }
      }
      r.end();
      return store;
    } finally {
      r.wipe();
    }
  }

  private static Spk readSpk(ByteReader r) throws MalformedSessionDataException {
    SignedPrekey p = SignedPrekey.decode(r.bytes16(1, 0xffff, "signed prekey"));
    byte[] raw = r.bytes(X25519.KEY_BYTES);
    Instant at = Instant.ofEpochMilli(r.u64());
    if (p.kind() != PrekeyKind.SIGNED_X25519) {
      throw new MalformedSessionDataException("prekey store: signed prekey of the wrong kind");
    }
    X25519.KeyPair keys = X25519.fromPrivateKey(raw);
    Arrays.fill(raw, (byte) 0);
    if (!Arrays.equals(keys.publicKey(), p.publicKey())) {
      throw new MalformedSessionDataException("prekey store: signed prekey does not match");
    }
    return new Spk(p, keys, at);
  }

  private static Kem readKem(ByteReader r, PrekeyKind kind) throws MalformedSessionDataException {
    SignedPrekey p = SignedPrekey.decode(r.bytes16(1, 0xffff, "ML-KEM prekey"));
    byte[] pkcs8 = r.bytes16(1, 0xffff, "ML-KEM private key");
    if (p.kind() != kind) {
      throw new MalformedSessionDataException("prekey store: ML-KEM prekey of the wrong kind");
    }
    try {
      return new Kem(p, MlKem768.privateKey(pkcs8));
    } catch (InvalidKeyException e) {
      throw new MalformedSessionDataException("prekey store: bad ML-KEM private key");
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  @Override
  public synchronized String toString() {
    return "PrekeyStore[signed prekey "
        + current.published().id()
        + ", "
        + oneTime.size()
        + " one-time]";
  }
}
