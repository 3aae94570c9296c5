package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.ratchet.RatchetState;
import java.util.Arrays;

/**
 * One version-2 session between this device and one device of a peer, as a {@link SessionStore}
 * keeps it (docs/v2/messages.md): who and which device, the session id both sides derive from the
 * setup, the peer device's certificate (DER; it verifies the peer's signatures on this session),
 * the ratchet state and when the session was last used to send or receive (the most recently used
 * session with a device is the one messages are sealed on), and, for a session this device started
 * that has not yet received anything, the initial-message header that every message on it repeats
 * until the peer's first reply (docs/v2/messages.md section 5.2; empty otherwise).
 *
 * <p>The ratchet state is held either as stored bytes ({@code RatchetState.toBytes()}, as a store
 * read them) or decoded, as the sealer and opener hand it over after a message: then a store that
 * writes it encodes it ({@link #ratchetState()}) and a store that keeps it in memory does not, and
 * the sealer and opener read it back without decoding.
 *
 * <p>Immutable: every array is copied on the way in and on the way out, and a decoded state is held
 * as a {@link RatchetState#copy()} of the caller's, so nothing the caller does afterwards (changing
 * its arrays, using or destroying its state) alters a stored session. Successors made by the sealer
 * and opener in this package share the arrays of the session they follow, which nobody outside can
 * reach.
 *
 * <p>The ratchet state is key material: a store MUST keep it encrypted at rest and never log it.
 */
public final class StoredSession {
  /** Length of a device id (SHA-256 of the device certificate's DER). */
  public static final int DEVICE_ID_BYTES = 32;

  /** Length of a session id. */
  public static final int SESSION_ID_BYTES = 16;

  private static final byte[] NONE = new byte[0];

  private final String peer;
  private final byte[] peerDevice;
  private final byte[] sessionId;
  private final byte[] peerCertificate;
  private final byte[] stateBytes; // null when the state is held decoded
  private final RatchetState state; // null when the state is held as bytes
  private final long lastUsedMillis;
  private final byte[] pendingInitial;

  /** Takes the arrays as they are: every caller has copied them or owns them. */
  private StoredSession(
      String peer,
      byte[] peerDevice,
      byte[] sessionId,
      byte[] peerCertificate,
      byte[] stateBytes,
      RatchetState state,
      long lastUsedMillis,
      byte[] pendingInitial) {
    this.peer = requireNonNull(peer, "peer");
    if (peerDevice.length != DEVICE_ID_BYTES) {
      throw new IllegalArgumentException("a device id is " + DEVICE_ID_BYTES + " bytes");
    }
    if (sessionId.length != SESSION_ID_BYTES) {
      throw new IllegalArgumentException("a session id is " + SESSION_ID_BYTES + " bytes");
    }
    if (peerCertificate.length == 0 || (stateBytes != null && stateBytes.length == 0)) {
      throw new IllegalArgumentException("certificate and ratchet state are required");
    }
    this.peerDevice = peerDevice;
    this.sessionId = sessionId;
    this.peerCertificate = peerCertificate;
    this.stateBytes = stateBytes;
    this.state = stateBytes == null ? requireNonNull(state, "state") : null;
    this.lastUsedMillis = lastUsedMillis;
    this.pendingInitial = requireNonNull(pendingInitial, "pendingInitial");
  }

  /** A session with its ratchet state as stored bytes ({@code RatchetState.toBytes()}). */
  public StoredSession(
      String peer,
      byte[] peerDevice,
      byte[] sessionId,
      byte[] peerCertificate,
      byte[] ratchetState,
      long lastUsedMillis,
      byte[] pendingInitial) {
    this(
        peer,
        peerDevice.clone(),
        sessionId.clone(),
        peerCertificate.clone(),
        ratchetState.clone(),
        null,
        lastUsedMillis,
        pendingInitial.clone());
  }

  /** A session with no pending initial-message header (one that has received, or a responder's). */
  public StoredSession(
      String peer,
      byte[] peerDevice,
      byte[] sessionId,
      byte[] peerCertificate,
      byte[] ratchetState,
      long lastUsedMillis) {
    this(peer, peerDevice, sessionId, peerCertificate, ratchetState, lastUsedMillis, NONE);
  }

  /**
   * A session with its ratchet state decoded; the session keeps a {@link RatchetState#copy()} of
   * {@code state}, so the caller may go on using (or destroy) its own.
   */
  static StoredSession ofState(
      String peer,
      byte[] peerDevice,
      byte[] sessionId,
      byte[] peerCertificate,
      RatchetState state,
      long lastUsedMillis,
      byte[] pendingInitial) {
    return new StoredSession(
        peer,
        peerDevice.clone(),
        sessionId.clone(),
        peerCertificate.clone(),
        null,
        state.copy(),
        lastUsedMillis,
        pendingInitial.clone());
  }

  /**
   * This session after sending one more message: the same peer device, session, certificate and
   * pending header (shared, not copied), with {@code state} (copied, as in {@link #ofState}) and
   * {@code lastUsedMillis}.
   */
  StoredSession afterSending(RatchetState state, long lastUsedMillis) {
    return successor(state, lastUsedMillis, pendingInitial);
  }

  /**
   * This session after receiving a message: as {@link #afterSending}, without a pending header (the
   * peer has the session set up once it answers on it).
   */
  StoredSession afterReceiving(RatchetState state, long lastUsedMillis) {
    return successor(state, lastUsedMillis, NONE);
  }

  private StoredSession successor(RatchetState state, long lastUsedMillis, byte[] pending) {
    return new StoredSession(
        peer, peerDevice, sessionId, peerCertificate, null, state.copy(), lastUsedMillis, pending);
  }

  /** This session with {@code pendingInitial} (copied) as its pending initial-message header. */
  public StoredSession withPendingInitial(byte[] pendingInitial) {
    return new StoredSession(
        peer,
        peerDevice,
        sessionId,
        peerCertificate,
        stateBytes,
        state,
        lastUsedMillis,
        pendingInitial.clone());
  }

  public String peer() {
    return peer;
  }

  public byte[] peerDevice() {
    return peerDevice.clone();
  }

  public byte[] sessionId() {
    return sessionId.clone();
  }

  public byte[] peerCertificate() {
    return peerCertificate.clone();
  }

  /**
   * The ratchet state as stored bytes ({@code RatchetState.toBytes()}), a fresh array each call.
   */
  public byte[] ratchetState() {
    return stateBytes != null ? stateBytes.clone() : state.toBytes();
  }

  /**
   * The ratchet state, decoded: a fresh instance each call, the caller's to use once (and to
   * destroy).
   *
   * @throws IllegalArgumentException when the stored bytes are not a ratchet state
   */
  RatchetState ratchet() {
    return stateBytes != null ? RatchetState.fromBytes(stateBytes) : state.copy();
  }

  public long lastUsedMillis() {
    return lastUsedMillis;
  }

  /**
   * The initial-message header ({@code InitialMessageHeader.encode()}) to repeat on every message
   * of this session until it receives, or empty.
   */
  public byte[] pendingInitial() {
    return pendingInitial.clone();
  }

  /** Whether there is a pending initial-message header, without a copy. */
  boolean hasPendingInitial() {
    return pendingInitial.length > 0;
  }

  /** Whether this is a session with the peer device {@code device}, compared without a copy. */
  boolean isWith(byte[] device) {
    return Arrays.equals(peerDevice, device);
  }

  /** Whether {@code other} is a session with the same peer device, compared without a copy. */
  boolean isWithDeviceOf(StoredSession other) {
    return Arrays.equals(peerDevice, other.peerDevice);
  }

  /** Whether {@code other} is the same session with the same peer device (any state). */
  boolean isSameSessionAs(StoredSession other) {
    return isWithDeviceOf(other) && Arrays.equals(sessionId, other.sessionId);
  }

  /** Whether this is session {@code id} with the peer device {@code device}. */
  boolean is(byte[] device, byte[] id) {
    return Arrays.equals(peerDevice, device) && Arrays.equals(sessionId, id);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredSession s
        && peer.equals(s.peer)
        && Arrays.equals(peerDevice, s.peerDevice)
        && Arrays.equals(sessionId, s.sessionId)
        && Arrays.equals(peerCertificate, s.peerCertificate)
        && Arrays.equals(ratchetState(), s.ratchetState())
        && lastUsedMillis == s.lastUsedMillis
        && Arrays.equals(pendingInitial, s.pendingInitial);
  }

  @Override
  public int hashCode() {
    return peer.hashCode() * 31 + Arrays.hashCode(sessionId);
  }

  @Override
  public String toString() {
    return "StoredSession[" + peer + ", last used " + lastUsedMillis + "]";
  }
}
