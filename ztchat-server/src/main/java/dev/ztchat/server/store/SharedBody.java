package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.sql.SQLException;

/**
 * The bytes of one enqueued envelope, stored once (table {@code bodies}) for every recipient of the
 * enqueue: each recipient's row in {@code queue} refers to it and keeps its own order, sender,
 * message id, expiry and targets. It is written when the first copy passes its quotas, and removed
 * again at the end of the enqueue if no copy refers to it (every recipient refused it or held it
 * already). Once stored, the store deletes it with the last row that refers to it, whether that row
 * goes by an acknowledgement or by expiry (a trigger on {@code queue}, docs/v2/devices.md section
 * 4.3); on PostgreSQL, when two transactions remove its last two rows at once, the purge of expired
 * envelopes deletes it instead.
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

  private static final long NOT_WRITTEN = -1;

  private final byte[] envelope;
  private long id = NOT_WRITTEN;
  private boolean referred;

  SharedBody(byte[] envelope) {
    this.envelope = requireNonNull(envelope, "envelope");
  }

  /** The envelope's size in bytes: what each recipient's quota is charged for its copy. */
  int size() {
    return envelope.length;
  }

  /** The body's id, written by {@code writer} on the first call. */
  long id(Writer writer) throws SQLException {
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
