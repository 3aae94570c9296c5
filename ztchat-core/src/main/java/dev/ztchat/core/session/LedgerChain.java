package dev.ztchat.core.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash chain of docs/v2/conversation-ledger.md section 3: one link per sequence number of one
 * direction, either a received message (its id) or a message given up as lost.
 */
final class LedgerChain {
  static final byte[] LABEL = "ztchat-v2-ledger".getBytes(StandardCharsets.US_ASCII);

  /** The chain value before any message: 32 zero bytes. */
  static byte[] start() {
    return new byte[LedgerCommitment.CHAIN_LENGTH];
  }

  /** The next chain value: {@code id} is the message's id, or null for a lost message. */
  static byte[] link(byte[] previous, long seq, byte[] id) {
    ByteWriter w = new ByteWriter().bytes(LABEL).bytes(previous).u64(seq);
    if (id == null) {
      w.u8(0);
    } else {
      w.u8(1).u8(id.length).bytes(id);
    }
    return SHA256.get().digest(w.toByteArray());
  }

  /** One SHA-256 engine per thread (a provider lookup per link showed in a message's cost). */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
            }
          });

  static byte[] checkId(byte[] id) {
    if (id.length < 1 || id.length > ConversationLedger.MAX_ID_LENGTH) {
      throw new IllegalArgumentException(
          "message id must be 1.." + ConversationLedger.MAX_ID_LENGTH + " bytes");
    }
    return id.clone();
  }

  private LedgerChain() {}
}
