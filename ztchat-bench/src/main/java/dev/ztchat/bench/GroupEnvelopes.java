package dev.ztchat.bench;

import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;

/**
 * Version-2 envelopes for the fan-out bench (a routing prefix naming every other member) and, with
 * one recipient, the direct texts of the relay and store benches ({@link Wire#v2}): a prefix, and a
 * body of the size a real message has (docs/v2/messages.md section 8: the body without entries for
 * the text, plus one entry of {@code 202 + R} bytes per recipient device on an established session,
 * plus the signature). The relay routes on the prefix and never opens the body (receivers do), so
 * random body bytes of the right size cost it what a sealed one does.
 */
final class GroupEnvelopes {
  /** Bytes of an entry on an established session, less the recipient's name. */
  static final int ENTRY_BYTES_BESIDES_NAME = 202;

  /** The body's bytes around its entries for a text of {@code textBytes} (section 8). */
  static int bodyWithoutEntries(int textBytes) {
    return 1 + 32 + 2 + 1 + 12 + 4 + (textBytes + 1) + 16;
  }

  private final String sender;
  private final List<String> recipients;
  private final byte[] body;
  private final byte[] signature = new byte[72];
  private final long run = System.nanoTime();

  GroupEnvelopes(String sender, List<String> recipients, int textBytes) {
    this.sender = sender;
    this.recipients = List.copyOf(recipients);
    int size = bodyWithoutEntries(textBytes);
    for (String r : recipients) {
      size += ENTRY_BYTES_BESIDES_NAME + r.length();
    }
    SecureRandom random = new SecureRandom();
    this.body = new byte[size];
    random.nextBytes(body);
    random.nextBytes(signature);
  }

  /** Group message number {@code seq}. */
  byte[] envelope(long seq) {
    byte[] id =
        ByteBuffer.allocate(EnvelopeHeader.MESSAGE_ID_BYTES).putLong(run).putLong(seq).array();
    RoutingPrefix prefix =
        new RoutingPrefix(V2Envelope.VERSION, sender, recipients, System.currentTimeMillis(), id);
    return new V2Envelope(prefix, body, signature).encode();
  }
}
