package dev.ztchat.server;

import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * Carries the client certificate that {@link ClientCertificateTrustManager} accepted during a
 * handshake, with the identity it read from it, to {@link IdentityBindingHandler} when the
 * handshake completes, through the handshake's own {@link SSLSession}. The certificate the trust
 * manager checked is then the one the session starts with: it is parsed and its name read once per
 * connection, not again from the session's DER.
 *
 * <p>Only the trust manager puts the value, and only after every check passed; the handler takes it
 * (and removes it, so the session does not keep the parsed certificate for the connection's life).
 * When there is none to take (a resumed session, which skips the trust manager), the handler reads
 * the session's peer certificate as before.
 */
final class VerifiedPeerHandOff {
  private static final String KEY = "dev.ztchat.server.verifiedPeer";

  private VerifiedPeerHandOff() {}

  /** Leaves {@code peer} in {@code engine}'s handshake session, when it has one. */
  static void handOn(SSLEngine engine, SessionStartHandler.VerifiedPeer peer) {
    SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
    if (handshake != null) {
      handshake.putValue(KEY, peer);
    }
  }

  /** The peer handed on in {@code session}, removed from it; empty when none was. */
  static Optional<SessionStartHandler.VerifiedPeer> take(SSLSession session) {
    Object value = session.getValue(KEY);
    if (value == null) {
      return Optional.empty();
    }
    session.removeValue(KEY);
    return value instanceof SessionStartHandler.VerifiedPeer peer
        ? Optional.of(peer)
        : Optional.empty();
  }
}
