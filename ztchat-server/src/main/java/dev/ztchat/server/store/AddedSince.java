package dev.ztchat.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows other relay nodes added to a shared table since the last read, and the cursor to read from
 * next: what a node reads periodically, so that the cost of the read follows what changed, not the
 * size of the table.
 *
 * <p>How: each row keeps the id of the transaction that added it ({@code added_xid xid8 DEFAULT
 * pg_current_xact_id()}), and a read returns, with the rows, the oldest transaction still running
 * when it read ({@code pg_snapshot_xmin} of its snapshot). Every transaction older than that had
 * ended, so its rows were seen; the next read takes the rows of that transaction and newer ones. A
 * sequence number would not do: a transaction may commit a lower number after a reader saw a higher
 * one. A row may be read twice (its transaction still running at one read, committed at the next);
 * readers take rows idempotently.
 *
 * @param rows the rows added since the cursor given (some perhaps read before)
 * @param cursor where the next read starts
 */
public record AddedSince<T>(List<T> rows, long cursor) {
  /** The cursor of a node that has read nothing: the next read returns every row. */
  public static final long START = 0;

  public AddedSince {
    rows = List.copyOf(rows);
  }

  /** Reads one row of a result set. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** The column each shared table adds for these reads (by the store's migration to schema 4). */
  static void addColumn(Statement s, String table) throws SQLException {
    s.execute(
        "ALTER TABLE "
            + table
            + " ADD COLUMN added_xid xid8 NOT NULL DEFAULT pg_current_xact_id()");
    s.execute("CREATE INDEX " + table + "_by_added ON " + table + " (added_xid)");
  }

  /**
   * Reads on {@code c} the rows of {@code select} (whose last parameter is the cursor, compared as
   * {@code added_xid >= ?::xid8}) added at or after {@code cursor}.
   */
  static <T> AddedSince<T> read(Connection c, String select, long cursor, RowReader<T> reader)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    int isolation = c.getTransactionIsolation();
    c.setAutoCommit(false);
    // one snapshot for both statements: the cursor is true of exactly what the rows show
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try {
      long next;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")) {
        rs.next();
        next = Long.parseLong(rs.getString(1));
      }
      List<T> rows = new ArrayList<>();
      try (PreparedStatement q = c.prepareStatement(select)) {
        q.setString(1, Long.toString(cursor));
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            rows.add(reader.read(rs));
          }
        }
      }
      c.commit();
      return new AddedSince<>(rows, next);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setTransactionIsolation(isolation);
      c.setAutoCommit(autoCommit);
    }
  }
}
