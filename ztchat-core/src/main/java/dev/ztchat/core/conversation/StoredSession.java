package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One version-2 session between this device and one device of a peer, as a {@link SessionStore}
 * keeps it (docs/v2/messages.md): who and which device, the session id both sides derive from the
 * setup, the peer device's certificate (DER; it verifies the peer's signatures on this session),
 * the ratchet state ({@code RatchetState.toBytes()}) and when the session was last used to send or
 * receive (the most recently used session with a device is the one messages are sealed on).
 *
 * <p>The ratchet state is key material: a store MUST keep it encrypted at rest and never log it.
 */
public record StoredSession(
    String peer,
    byte[] peerDevice,
    byte[] sessionId,
    byte[] peerCertificate,
    byte[] ratchetState,
    long lastUsedMillis) {
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

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredSession s
        && peer.equals(s.peer)
        && Arrays.equals(peerDevice, s.peerDevice)
        && Arrays.equals(sessionId, s.sessionId)
        && Arrays.equals(peerCertificate, s.peerCertificate)
        && Arrays.equals(ratchetState, s.ratchetState)
        && lastUsedMillis == s.lastUsedMillis;
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
