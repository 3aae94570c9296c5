package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one answer to an {@code ack} or {@code acks} (docs/PROTOCOL.md section 9), which waits for
 * every part of it: the store's deletion of the envelopes it had written (one part) and the {@code
 * sent} to the sender of each envelope acknowledged from memory (one part per sender's connection).
 * The last part done writes the {@code ok}. A part that fails keeps it from ever being written: a
 * deletion the store refused is answered {@code error} {@code internal}; a {@code sent} that could
 * not be written (the sender's connection closed) leaves the acknowledgement unanswered, as the
 * sender will retry and the recipient absorbs the redelivery. Parts finish on any thread.
 */
final class AckAnswer {
  private final Channel recipient;
  private final String ref;
  private final AtomicInteger parts;

  AckAnswer(Channel recipient, String ref, int parts) {
    this.recipient = requireNonNull(recipient, "recipient");
    this.ref = ref;
    this.parts = new AtomicInteger(parts);
    if (parts == 0) {
      recipient.writeAndFlush(new Frame.Ok(ref));
    }
  }

  /**
   * One part is done; the last writes the {@code ok}, among {@code out}'s answers when it is a
   * store batch's (so after the batch's other frames for the connection), else at once.
   */
  void partDone(BatchReplies out) {
    if (parts.decrementAndGet() == 0) {
      Frame.Ok ok = new Frame.Ok(ref);
      if (out != null) {
        out.send(recipient, ok);
      } else {
        recipient.writeAndFlush(ok);
      }
    }
  }

  /** The store could not delete its part: the client learns that nothing was confirmed. */
  void failed() {
    recipient.writeAndFlush(
        new Frame.Error(
            ref, ErrorCode.INTERNAL, "the server could not record the acknowledgement"));
  }
}
