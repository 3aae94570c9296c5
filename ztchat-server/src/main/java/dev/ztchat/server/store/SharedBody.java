package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.sql.SQLException;

/**
 * The bytes of one enqueued envelope, stored once for every recipient of the enqueue. An envelope
 * with one recipient (a direct message, and most parts of a split group message on one database)
 * keeps its bytes in that recipient's row of {@code queue} itself ({@code body} {@value #INLINE}):
 * one row written, one row deleted, as before bodies were shared. An envelope with several
 * recipients has its bytes in table {@code bodies}, written when the first copy passes its quotas,
 * and each recipient's row refers to them and keeps its own order, sender, message id, expiry and
 * targets; they are removed again at the end of the enqueue if no copy refers to them (every
 * recipient refused it or held it already). Once stored, the store deletes them with the last row
 * that refers to them, whether that row goes by an acknowledgement or by expiry (a trigger on
 * {@code queue}, docs/v2/devices.md section 4.3); on PostgreSQL, when two transactions remove its
 * last two rows at once, the purge of expired envelopes deletes them instead.
 *
 * <p>One per enqueue and one thread; not reused.
 */
final class SharedBody {
  /** Writes the bytes and answers their id. */
  @FunctionalInterface
  interface Writer {
    long write(byte[] envelope) throws SQLException;
  }

  /** Deletes the bytes of {@code id}. */
  @FunctionalInterface
  interface Remover {
    void remove(long id) throws SQLException;
  }

  /** The {@code body} of a row that holds its envelope's bytes itself. */
  static final long INLINE = 0;

  private static final long NOT_WRITTEN = -1;

  private final byte[] envelope;
  private final boolean inline;
  private long id = NOT_WRITTEN;
  private boolean referred;

  /** The bytes of an enqueue to {@code recipients} recipients. */
  SharedBody(byte[] envelope, int recipients) {
    this.envelope = requireNonNull(envelope, "envelope");
    this.inline = recipients <= 1;
  }

  /**
   * The bytes to store in the recipient's row itself: the envelope's for a single recipient, else
   * null (the row refers to the body {@link #id}).
   */
  byte[] inRow() {
    return inline ? envelope : null;
  }

  /** The envelope's size in bytes: what each recipient's quota is charged for its copy. */
  int size() {
    return envelope.length;
  }

  /**
   * What the recipient's row refers to: {@link #INLINE} for a single recipient, else the body's id,
   * written by {@code writer} on the first call.
   */
  long id(Writer writer) throws SQLException {
    if (inline) {
      return INLINE;
    }
    if (id == NOT_WRITTEN) {
      id = writer.write(envelope);
    }
    return id;
  }

  /** A recipient's row now refers to the body. */
  void referred() {
    referred = true;
  }

  /** At the end of the enqueue: removes the body if it was written and no row refers to it. */
  void removeIfUnreferred(Remover remover) throws SQLException {
    if (id != NOT_WRITTEN && !referred) {
      remover.remove(id);
    }
  }
}
