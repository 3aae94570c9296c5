package dev.ztchat.client;

import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.V2Envelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The sealed form of one group message as the {@link Outbox} keeps it: its envelope alone, or, for
 * a message split across envelopes (docs/v2/groups.md section 7.1), {@code 0x00 | u8 count | count
 * * (u32 length | envelope)}. No envelope starts with 0x00 (that would be envelope version 0), so
 * both forms read back unambiguously, and rows kept before messages were split read as one part.
 */
final class GroupParts {
  private static final int SPLIT_MARK = 0x00;

  private GroupParts() {}

  /** The stored form of {@code parts} (at least one). */
  static byte[] encode(List<V2Envelope> parts) {
    if (parts.isEmpty() || parts.size() > 255) {
      throw new IllegalArgumentException("a group message has 1 to 255 envelopes");
    }
    if (parts.size() == 1) {
      return parts.getFirst().encode();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(SPLIT_MARK);
    out.write(parts.size());
    for (V2Envelope part : parts) {
      byte[] b = part.encode();
      out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  /** The envelopes of a stored group message, in the order they are sent. */
  static List<V2Envelope> decode(byte[] stored) throws IOException {
    try {
      if (stored.length == 0 || (stored[0] & 0xff) != SPLIT_MARK) {
        return List.of(V2Envelope.decode(stored));
      }
      ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
      int count = in.get() & 0xff;
      List<V2Envelope> parts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
          throw new IOException("a waiting group message is damaged (a part runs past its end)");
        }
        byte[] b = new byte[length];
        in.get(b);
        parts.add(V2Envelope.decode(b));
      }
      if (in.hasRemaining() || parts.size() < 2) {
        throw new IOException("a waiting group message is damaged (its parts do not add up)");
      }
      return parts;
    } catch (MalformedEnvelopeException | java.nio.BufferUnderflowException e) {
      throw new IOException("a waiting group message no longer decodes: " + e.getMessage(), e);
    }
  }
}
