package dev.ztchat.client;

import java.io.IOException;

/**
 * Nothing was sent to a peer who has proved it speaks version 2, because the relay gives no
 * version-2 keys for it now and the client refuses to fall back to version 1 (docs/v2/messages.md,
 * the downgrade rule). The message was kept in the outbox and goes out once the keys are back.
 */
public final class PeerKeysWithheldException extends IOException {
  private static final long serialVersionUID = 1L;

  PeerKeysWithheldException(String message) {
    super(message);
  }
}
