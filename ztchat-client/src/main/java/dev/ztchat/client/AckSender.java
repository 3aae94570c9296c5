package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.Frame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this client's acknowledgements (docs/PROTOCOL.md section 9) and records in the {@link
 * AckLedger} each one the relay confirmed. To a relay whose {@code welcome} announced {@code
 * maxAcks}, the envelopes acknowledged since the last {@link #flush} go out together in one {@code
 * acks} frame (several when they are more than {@code maxAcks} or than fit in the relay's {@code
 * maxFrame}); to any other relay, one {@code ack} each, at once, as before batches existed.
 *
 * <p>The caller adds an envelope only once it was durably handled (stored and shown, or refused),
 * exactly as it sent an {@code ack} before: batching delays when the relay may delete it, never
 * what the client promises by acknowledging. The caller flushes when no more received envelopes
 * wait to be handled (the end of what one read brought), so an envelope is never held back behind
 * one that has not arrived.
 *
 * <p>Thread-safe; in practice called on the receive thread, with answers on the network thread.
 */
final class AckSender {
  private static final Logger LOG = LoggerFactory.getLogger(AckSender.class);

  /** Bytes of an {@code acks} frame besides its entries: type, ref (up to 24 characters), array. */
  static final int FRAME_BYTES = 64;

  /**
   * Bytes of one entry besides its sender's name: the object, its member names, the id, a comma.
   */
  static final int ENTRY_BYTES = 61;

  private final AckLedger ledger;
  private final Supplier<Optional<RelayConnection>> connection;
  private final Consumer<CompletableFuture<?>> track;
  private final Set<Frame.AckedEnvelope> pending = new LinkedHashSet<>();

  /**
   * @param connection the current connection to the relay, if any
   * @param track given every acknowledgement sent, so closing can wait for its answer
   */
  AckSender(
      AckLedger ledger,
      Supplier<Optional<RelayConnection>> connection,
      Consumer<CompletableFuture<?>> track) {
    this.ledger = requireNonNull(ledger, "ledger");
    this.connection = requireNonNull(connection, "connection");
    this.track = requireNonNull(track, "track");
  }

  /** The envelope ({@code sender}, {@code messageIdHex}) was handled: the relay may delete it. */
  synchronized void add(String sender, String messageIdHex) {
    RelayConnection conn = connection.get().orElse(null);
    if (conn == null) {
      LOG.debug("acknowledgement deferred: not connected"); // the relay will deliver it again
      return;
    }
    Frame.AckedEnvelope e = new Frame.AckedEnvelope(sender, messageIdHex);
    if (!conn.welcome().takesAckBatches()) {
      send(conn, List.of(e));
      return;
    }
    pending.add(e);
    if (pending.size() >= conn.welcome().maxAcks()) {
      flush();
    }
  }

  /** Sends what was added since the last flush. */
  synchronized void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<Frame.AckedEnvelope> all = List.copyOf(pending);
    pending.clear();
    RelayConnection conn = connection.get().orElse(null);
    if (conn == null) {
      LOG.debug("{} acknowledgements deferred: not connected", all.size());
      return;
    }
    for (List<Frame.AckedEnvelope> part : parts(all, conn.welcome())) {
      send(conn, part);
    }
  }

  /**
   * {@code all} in frames the relay takes: at most its {@code maxAcks} each (one each when it
   * announced none), and each within its {@code maxFrame}.
   */
  static List<List<Frame.AckedEnvelope>> parts(
      List<Frame.AckedEnvelope> all, Frame.Welcome welcome) {
    int most = Math.max(1, welcome.maxAcks());
    List<List<Frame.AckedEnvelope>> out = new ArrayList<>();
    List<Frame.AckedEnvelope> part = new ArrayList<>();
    int bytes = FRAME_BYTES;
    for (Frame.AckedEnvelope e : all) {
      int entry = e.sender().length() + ENTRY_BYTES;
      if (!part.isEmpty() && (part.size() >= most || bytes + entry > welcome.maxFrame())) {
        out.add(part);
        part = new ArrayList<>();
        bytes = FRAME_BYTES;
      }
      part.add(e);
      bytes += entry;
    }
    if (!part.isEmpty()) {
      out.add(part);
    }
    return out;
  }

  /** One {@code ack} for one envelope (any relay takes it), one {@code acks} for several. */
  private void send(RelayConnection conn, List<Frame.AckedEnvelope> part) {
    String ref = conn.nextRef();
    Frame request =
        part.size() == 1
            ? new Frame.Ack(ref, part.getFirst().sender(), part.getFirst().messageId())
            : new Frame.Acks(ref, part);
    track.accept(
        conn.requestAsync(request, ref)
            .thenRun(
                () -> {
                  try {
                    for (Frame.AckedEnvelope e : part) {
                      ledger.confirmed(e.sender(), e.messageId());
                    }
                  } catch (IOException e) {
                    LOG.warn("{}", e.getMessage());
                  }
                }));
  }
}
