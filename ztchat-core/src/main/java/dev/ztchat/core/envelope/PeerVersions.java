package dev.ztchat.core.envelope;

import java.io.IOException;

/**
 * What this client knows of the envelope versions each peer speaks (docs/v2/messages.md, the
 * downgrade rule). Once a peer has proved it speaks version 2 (a version-2 message from it opened,
 * or its signed prekey bundle verified), the client neither accepts a version-1 envelope from it
 * ({@link RejectionReason#DOWNGRADE}) nor sends one to it: a relay that hides the peer's prekeys or
 * rewrites its envelopes cannot push the conversation back to version 1.
 *
 * <p>Implementations persist what they learn and never lower a peer's version; thread-safe.
 */
public interface PeerVersions {
  /** Knows nothing: every peer may use version 1 (tests and version-1-only clients). */
  PeerVersions NONE =
      new PeerVersions() {
        @Override
        public int lowestVersion(String peer) {
          return 1;
        }

        @Override
        public void proved(String peer, int version) {}
      };

  /** The lowest envelope version accepted from, and sent to, {@code peer}. */
  int lowestVersion(String peer) throws IOException;

  /**
   * Whether a version-1 envelope may still be sealed to {@code peer}: false once it proved version
   * 2. A client MUST ask before sealing version 1, and seal version 2 (or nothing) when it is
   * false.
   */
  default boolean mayReceiveVersion1(String peer) throws IOException {
    return lowestVersion(peer) <= 1;
  }

  /** Records that {@code peer} proved it speaks {@code version}; never lowers what is known. */
  void proved(String peer, int version) throws IOException;
}
