package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupState;
import dev.ztchat.core.group.GroupTimeline;
import dev.ztchat.core.group.MalformedGroupException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.AEADBadTagException;

/**
 * The forwardable records of the group changes this device applied or made (docs/v2/groups.md
 * section 6.6), in the client's {@link ClientStore} (schema 6, table {@code group_records}): per
 * group, the chain of changes that led to its current state, oldest first, at most {@link
 * #MAX_CHAIN}. Each row holds the change and its record (the author device's certificate, the
 * envelope as signed and its content key), sealed with the {@link AtRestKey} and bound to its group
 * and state, so a row cannot be moved to another group or state.
 *
 * <p>What is protected: the changes (names, members) and the content keys. What is not: the group
 * ids, the hashes and versions of the states the changes lead to, and how many there are. A row
 * replaced by an older sealed copy of the same row is not detected, as for every table of the
 * store.
 *
 * <p>Thread-safe.
 */
final class GroupRecordStore {
  /** The most records kept per group; the oldest go first (docs/v2/groups.md section 6.6). */
  static final int MAX_CHAIN = 256;

  private static final String TABLE = "group_records";

  private final ClientStore store;
  private final AtRestKey key;

  GroupRecordStore(ClientStore store, AtRestKey key) {
    this.store = requireNonNull(store, "store");
    this.key = requireNonNull(key, "key");
  }

  /** One kept change: the hash (hex) of the state it leads to, and the change. */
  record Kept(String stateHashHex, GroupChange change) {}

  /** A row's clear columns. */
  private record Row(long id, String stateHash, String prevHash, int version) {}

  /**
   * Keeps {@code record}, which carries {@code change}; a record of a change kept before is left as
   * it was.
   */
  void keep(GroupChange change, ForwardedChange record) throws IOException {
    insert(change, record, false);
  }

  /** Keeps {@code record}, which carries {@code change}, instead of one kept before. */
  void replace(GroupChange change, ForwardedChange record) throws IOException {
    insert(change, record, true);
  }

  private void insert(GroupChange change, ForwardedChange record, boolean replace)
      throws IOException {
    GroupState state = change.newState();
    String group = ConversationHistory.checkedId(state.id().hex());
    byte[] encodedChange = change.encode();
    byte[] encodedRecord = record.encode();
    byte[] plain =
        ByteBuffer.allocate(4 + encodedChange.length + encodedRecord.length)
            .putInt(encodedChange.length)
            .put(encodedChange)
            .put(encodedRecord)
            .array();
    try {
      synchronized (store) {
        try (PreparedStatement u =
            store
                .db()
                .prepareStatement(
                    "INSERT OR "
                        + (replace ? "REPLACE" : "IGNORE")
                        + " INTO group_records(group_id, state_hash, prev_hash, version, body)"
                        + " VALUES (?, ?, ?, ?, ?)")) {
          u.setString(1, group);
          u.setString(2, state.hashHex());
          u.setString(3, java.util.HexFormat.of().formatHex(state.prevHash()));
          u.setInt(4, state.version());
          u.setBytes(5, key.seal(plain, binding(group, state.hashHex())));
          u.executeUpdate();
        } catch (SQLException e) {
          throw failed("store", e);
        }
      }
    } finally {
      Arrays.fill(encodedRecord, (byte) 0);
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** Forgets the record of the change that led to {@code state}, if one is kept. */
  void forget(GroupState state) throws IOException {
    String group = ConversationHistory.checkedId(state.id().hex());
    synchronized (store) {
      try (PreparedStatement d =
          store
              .db()
              .prepareStatement(
                  "DELETE FROM group_records WHERE group_id = ? AND state_hash = ?")) {
        d.setString(1, group);
        d.setString(2, state.hashHex());
        d.executeUpdate();
      } catch (SQLException e) {
        throw failed("store", e);
      }
    }
  }

  /**
   * Forgets the records of group {@code current.id()} that are not on the chain to {@code current}
   * (undone by a concurrent winner, or refused) unless they may still apply (a later version: they
   * wait as pending), and the oldest beyond {@link #MAX_CHAIN} on it. Forgets nothing while no
   * record of {@code current} is kept: my change that led to it waits unsealed, and the chain to it
   * is whole only once it is sealed (docs/v2/groups.md section 6.6).
   */
  void prune(GroupState current) throws IOException {
    String group = ConversationHistory.checkedId(current.id().hex());
    synchronized (store) {
      List<Row> rows = rows(group);
      if (rows.stream().noneMatch(r -> r.stateHash().equals(current.hashHex()))) {
        // A change of mine that waits unsealed led to it (made offline): its record is kept when it
        // is sealed, and the chain before it stays whole until then.
        return;
      }
      List<Row> chain = chain(rows, current.hashHex());
      Set<Long> onChain = new HashSet<>();
      chain.forEach(r -> onChain.add(r.id()));
      List<Long> gone = new ArrayList<>();
      List<Row> waiting = new ArrayList<>();
      for (Row r : rows) {
        if (onChain.contains(r.id())) {
          continue;
        }
        if (r.version() <= current.version()) {
          gone.add(r.id());
        } else {
          waiting.add(r);
        }
      }
      for (int i = 0; i < waiting.size() - GroupTimeline.MAX_PENDING; i++) {
        gone.add(waiting.get(i).id());
      }
      for (int i = 0; i < chain.size() - MAX_CHAIN; i++) {
        gone.add(chain.get(i).id());
      }
      try (PreparedStatement d =
          store.db().prepareStatement("DELETE FROM group_records WHERE id = ?")) {
        for (long id : gone) {
          d.setLong(1, id);
          d.executeUpdate();
        }
      } catch (SQLException e) {
        throw failed("store", e);
      }
    }
  }

  /** The kept changes that led to {@code current}, oldest first (as many as are kept). */
  List<Kept> chain(GroupState current) throws IOException {
    return chain(current.id().hex(), current.hashHex());
  }

  /**
   * The kept changes of group {@code groupIdHex} that led to its state {@code headHashHex}, oldest
   * first (as many as are kept).
   */
  List<Kept> chain(String groupIdHex, String headHashHex) throws IOException {
    String group = ConversationHistory.checkedId(groupIdHex);
    synchronized (store) {
      List<Kept> out = new ArrayList<>();
      for (Row r : chain(rows(group), headHashHex)) {
        Opened o = open(group, r.stateHash());
        try {
          out.add(new Kept(r.stateHash(), o.change()));
        } finally {
          o.record().destroy();
        }
      }
      return out;
    }
  }

  /**
   * The record of the change of group {@code groupIdHex} that led to state {@code stateHashHex}.
   */
  Optional<ForwardedChange> record(String groupIdHex, String stateHashHex) throws IOException {
    String group = ConversationHistory.checkedId(groupIdHex);
    synchronized (store) {
      if (rows(group).stream().noneMatch(r -> r.stateHash().equals(stateHashHex))) {
        return Optional.empty();
      }
      return Optional.of(open(group, stateHashHex).record());
    }
  }

  private List<Row> rows(String group) throws IOException {
    List<Row> out = new ArrayList<>();
    try (PreparedStatement q =
        store
            .db()
            .prepareStatement(
                "SELECT id, state_hash, prev_hash, version FROM group_records WHERE group_id = ?"
                    + " ORDER BY id")) {
      q.setString(1, group);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)));
        }
      }
    } catch (SQLException e) {
      throw failed("read", e);
    }
    return out;
  }

  /** The rows from the first kept one to the one that led to {@code head}, oldest first. */
  private static List<Row> chain(List<Row> rows, String head) {
    Map<String, Row> byState = new HashMap<>();
    rows.forEach(r -> byState.put(r.stateHash(), r));
    List<Row> out = new ArrayList<>();
    Row r = byState.get(head);
    while (r != null && out.size() < rows.size()) {
      out.add(r);
      r = byState.get(r.prevHash());
    }
    Collections.reverse(out);
    return out;
  }

  private record Opened(GroupChange change, ForwardedChange record) {}

  private Opened open(String group, String stateHash) throws IOException {
    byte[] sealed;
    try (PreparedStatement q =
        store
            .db()
            .prepareStatement(
                "SELECT body FROM group_records WHERE group_id = ? AND state_hash = ?")) {
      q.setString(1, group);
      q.setString(2, stateHash);
      try (ResultSet rs = q.executeQuery()) {
        sealed = rs.next() ? rs.getBytes(1) : new byte[0];
      }
    } catch (SQLException e) {
      throw failed("read", e);
    }
    byte[] plain = null;
    try {
      plain = key.open(sealed == null ? new byte[0] : sealed, binding(group, stateHash));
      ByteBuffer in = ByteBuffer.wrap(plain);
      byte[] change = new byte[in.getInt()];
      in.get(change);
      byte[] record = new byte[in.remaining()];
      in.get(record);
      try {
        return new Opened(GroupChange.decode(change), ForwardedChange.decode(record));
      } finally {
        Arrays.fill(record, (byte) 0);
      }
    } catch (AEADBadTagException e) {
      throw new IOException(
          "the group records in "
              + store.file()
              + " were altered or damaged (group "
              + group
              + " fails its integrity check)");
    } catch (MalformedGroupException | BufferUnderflowException | NegativeArraySizeException e) {
      throw new IOException(
          "a group record in " + store.file() + " does not decode (group " + group + ")", e);
    } finally {
      if (plain != null) {
        Arrays.fill(plain, (byte) 0);
      }
    }
  }

  private static byte[] binding(String group, String stateHash) {
    return AtRestKey.binding(TABLE, group, stateHash);
  }

  private IOException failed(String what, Exception e) {
    return new IOException(
        "cannot " + what + " the group records in " + store.file() + ": " + e.getMessage(), e);
  }
}
