package dev.ztchat.server.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQL text of SQLite's batch acknowledgements ({@link SqliteOfflineQueue#removeAll}): one
 * condition per envelope named, each {@code (recipient = ? AND sender = ? AND message_id = ?)},
 * joined by OR, which SQLite answers with one lookup in the queue's unique index per envelope (a
 * row-value {@code IN} list is answered by reading every envelope of the recipient instead).
 *
 * <p>Statements are prepared for {@link #slots} of 1, 2, 4 ... {@link #MOST} names only; a batch
 * fills its last slots with its last name again, which selects nothing more.
 */
final class AckStatements {
  /** Most names one statement takes; longer batches take several statements. */
  static final int MOST = 64;

  private AckStatements() {}

  /** {@code n} (1 to {@link #MOST}) rounded up to a power of two. */
  static int slots(int n) {
    if (n < 1 || n > MOST) {
      throw new IllegalArgumentException("1 to " + MOST + " names, not " + n);
    }
    return n == 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  /**
   * {@code slots} conditions, the recipient's parameter {@code ?recipient} in each, the names'
   * parameters numbered from {@code first} (sender, then message id).
   */
  static String named(int slots, int recipient, int first) {
    StringBuilder sql = new StringBuilder(slots * 64);
    for (int i = 0; i < slots; i++) {
      if (i > 0) {
        sql.append(" OR ");
      }
      sql.append("(recipient = ?")
          .append(recipient)
          .append(" AND sender = ?")
          .append(first + 2 * i)
          .append(" AND message_id = ?")
          .append(first + 2 * i + 1)
          .append(')');
    }
    return sql.toString();
  }

  /** {@code n} positional parameters, comma-separated. */
  static String placeholders(int n) {
    return "?" + ", ?".repeat(n - 1);
  }

  /** Binds {@code names} from parameter {@code first}, the last one again in the spare slots. */
  static void bindNames(PreparedStatement s, int first, List<EnvelopeId> names, int slots)
      throws SQLException {
    for (int i = 0; i < slots; i++) {
      EnvelopeId e = names.get(Math.min(i, names.size() - 1));
      s.setString(first + 2 * i, e.sender());
      s.setString(first + 2 * i + 1, e.messageId());
    }
  }
}
