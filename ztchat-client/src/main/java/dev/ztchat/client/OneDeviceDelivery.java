package dev.ztchat.client;

import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import java.io.IOException;

/**
 * Sends a waiting outbox row meant for one device of a person alone (docs/v2/devices.md section
 * 6.3): sealed once, its bytes kept with the row before the first send so that a retry sends the
 * very same envelope (which the relay stores once), sent without {@code devices}, and removed once
 * the relay took it.
 */
final class OneDeviceDelivery {
  private OneDeviceDelivery() {}

  /** What sealing a waiting row gave. */
  sealed interface Sealing {
    /** Nothing is to be sent for the row, ever: it goes. */
    record Drop() implements Sealing {}

    /** It cannot be sealed now (no keys for the device): it waits for a later flush. */
    record Wait() implements Sealing {}

    /** The envelope to send. */
    record Ready(V2Envelope envelope) implements Sealing {}
  }

  /** Seals a waiting row that has no envelope yet. */
  @FunctionalInterface
  interface Sealer {
    Sealing seal() throws IOException;
  }

  /**
   * Seals (unless sealed before) and sends {@code p} to its device of {@code person}; false when it
   * stays for a later flush (not sealable now, or the relay's queue for {@code person} is full).
   */
  static boolean send(
      Outbox outbox, RelayConnection conn, PendingMessage p, String person, Sealer sealer)
      throws IOException {
    byte[] bytes = p.envelope();
    if (bytes == null) {
      switch (sealer.seal()) {
        case Sealing.Drop d -> {
          outbox.remove(p.id());
          return true;
        }
        case Sealing.Wait w -> {
          return false;
        }
        case Sealing.Ready r -> {
          bytes = r.envelope().encode();
          // Durable before the first send: a retry re-sends these bytes, which the relay stores
          // once.
          outbox.attachEnvelope(p.id(), r.envelope().prefix().messageIdHex(), bytes);
        }
      }
    }
    Frame.Sent sent = OutgoingMessages.deliver(conn, bytes, conn.nextRef(), null);
    boolean full =
        sent.results().stream()
            .anyMatch(d -> d.user().equals(person) && d.status() == DeliveryStatus.FULL);
    if (!full) {
      outbox.remove(p.id());
    }
    return !full;
  }
}
