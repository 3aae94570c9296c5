package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One version-2 session between this device and one device of a peer, as a {@link SessionStore}
 * keeps it (docs/v2/messages.md): who and which device, the session id both sides derive from the
 * setup, the peer device's certificate (DER; it verifies the peer's signatures on this session),
 * the ratchet state ({@code RatchetState.toBytes()}) and when the session was last used to send or
 * receive (the most recently used session with a device is the one messages are sealed on), and,
 * for a session this device started that has not yet received anything, the initial-message header
 * that every message on it repeats until the peer's first reply (docs/v2/messages.md section 5.2;
 * empty otherwise).
 *
 * <p>The ratchet state is key material: a store MUST keep it encrypted at rest and never log it.
 */
public record StoredSession(
    String peer,
    byte[] peerDevice,
    byte[] sessionId,
    byte[] peerCertificate,
    byte[] ratchetState,
    long lastUsedMillis,
    byte[] pendingInitial) {
  /** Length of a device id (SHA-256 of the device certificate's DER). */
  public static final int DEVICE_ID_BYTES = 32;

  /** Length of a session id. */
  public static final int SESSION_ID_BYTES = 16;

  public StoredSession {
    requireNonNull(peer, "peer");
    if (peerDevice.length != DEVICE_ID_BYTES) {
      throw new IllegalArgumentException("a device id is " + DEVICE_ID_BYTES + " bytes");
    }
    if (sessionId.length != SESSION_ID_BYTES) {
      throw new IllegalArgumentException("a session id is " + SESSION_ID_BYTES + " bytes");
    }
    if (peerCertificate.length == 0 || ratchetState.length == 0) {
      throw new IllegalArgumentException("certificate and ratchet state are required");
    }
    peerDevice = peerDevice.clone();
    sessionId = sessionId.clone();
    peerCertificate = peerCertificate.clone();
    ratchetState = ratchetState.clone();
    pendingInitial = pendingInitial.clone();
  }

  /** A session with no pending initial-message header (one that has received, or a responder's). */
  public StoredSession(
      String peer,
      byte[] peerDevice,
      byte[] sessionId,
      byte[] peerCertificate,
      byte[] ratchetState,
      long lastUsedMillis) {
    this(peer, peerDevice, sessionId, peerCertificate, ratchetState, lastUsedMillis, new byte[0]);
  }

  @Override
  public byte[] peerDevice() {
    return peerDevice.clone();
  }

  @Override
  public byte[] sessionId() {
    return sessionId.clone();
  }

  @Override
  public byte[] peerCertificate() {
    return peerCertificate.clone();
  }

  @Override
  public byte[] ratchetState() {
    return ratchetState.clone();
  }

  /**
   * The initial-message header ({@code InitialMessageHeader.encode()}) to repeat on every message
   * of this session until it receives, or empty.
   */
  @Override
  public byte[] pendingInitial() {
    return pendingInitial.clone();
  }

  /** Whether this is a session with the peer device {@code device}, compared without a copy. */
  boolean isWith(byte[] device) {
    return Arrays.equals(peerDevice, device);
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
        && Arrays.equals(ratchetState, s.ratchetState)
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
