package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.conversation.SessionStore;
import dev.ztchat.core.conversation.StoredSession;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.LedgerEntry;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's session store: the {@link SessionStoreContract}, and what only a store on disk can
 * get wrong (reopening, atomicity, encryption at rest, file modes, rows swapped in the file).
 */
class SqliteSessionStoreTest extends SessionStoreContract {
  static UserIdentity alice;

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<ClientStore> openStores = new ArrayList<>();

  @BeforeAll
  static void keys() {
    alice = TestPki.create("alice").user("alice");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    open.clear();
    openStores.clear();
  }

  @Override
  SessionStore store() throws IOException {
    ClientStore store = ClientStore.open(dir.resolve("data"));
    open.add(store);
    openStores.add(store);
    SqliteSessionStore sessions =
        SqliteSessionStore.open(store, AtRestKey.openOrCreate(store, alice));
    open.add(sessions);
    return sessions;
  }

  @Test
  void everything_isThereAfterClosingAndReopening() throws Exception {
    SessionStore first = store();
    StoredSession s = session("bob", random(32), random(16), 1000);
    byte[] ledger = random(70);
    byte[] prekeys = random(3000);
    first.save(s, ledger(ledger));
    first.savePrekeys(prekeys);
    closeAll();

    SessionStore again = store();
    assertThat(again.sessions("bob")).containsExactly(s);
    assertThat(again.ledger("bob", s.peerDevice()))
        .hasValueSatisfying(l -> assertThat(l.head()).isEqualTo(ledger));
    assertThat(again.prekeys()).hasValueSatisfying(p -> assertThat(p).isEqualTo(prekeys));
  }

  @Test
  void aSaveWhileAnotherConnectionHoldsTheStoreLongerThanItsBusyTimeout_isTriedAgain_andLands()
      throws Exception {
    SessionStore store = store();
    StoredSession s = session("bob", random(32), random(16), 1000);
    Connection holder = raw();
    try (Statement st = holder.createStatement()) {
      st.execute("BEGIN IMMEDIATE"); // another writer on client.db, as under heavy load
    }
    Thread release =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Thread.sleep(6_000); // beyond the 5 s busy timeout: the first try fails
                    try (Statement st = holder.createStatement()) {
                      st.execute("ROLLBACK");
                    }
                    holder.close();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    store.save(s, ledger(random(40)));
    release.join();

    assertThat(store.sessions("bob")).containsExactly(s);
  }

  @Test
  void aLedgerThatCannotBeWritten_leavesTheSessionUnsavedToo() throws Exception {
    SessionStore store = store();
    byte[] device = random(32);
    byte[] id = random(16);
    StoredSession before = session("bob", device, id, 1000);
    byte[] ledgerBefore = random(40);
    store.save(before, ledger(ledgerBefore));
    try (Connection raw = raw();
        Statement s = raw.createStatement()) {
      s.execute(
          "CREATE TRIGGER full_disk BEFORE INSERT ON v2_ledgers"
              + " BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    }

    assertThatThrownBy(() -> store.save(session("bob", device, id, 2000), ledger(random(40))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot save a session");
    assertThat(store.sessions("bob")).containsExactly(before);
    assertThat(store.ledger("bob", device))
        .hasValueSatisfying(l -> assertThat(l.head()).isEqualTo(ledgerBefore));
  }

  @Test
  void aLedgerEntryThatCannotBeWritten_leavesTheSessionAndTheLedgerHeadUnsavedToo()
      throws Exception {
    SessionStore store = store();
    byte[] device = random(32);
    byte[] id = random(16);
    StoredSession before = session("bob", device, id, 1000);
    byte[] headBefore = random(40);
    LedgerEntry one = new LedgerEntry(1, random(41));
    store.save(before, new SessionStore.LedgerUpdate(headBefore, List.of(one), 1));
    try (Connection raw = raw();
        Statement s = raw.createStatement()) {
      s.execute(
          "CREATE TRIGGER full_disk BEFORE INSERT ON v2_ledger_entries"
              + " BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    }

    assertThatThrownBy(
            () ->
                store.save(
                    session("bob", device, id, 2000),
                    new SessionStore.LedgerUpdate(
                        random(40), List.of(new LedgerEntry(2, random(41))), 2)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot save a session");
    assertThat(store.sessions("bob")).containsExactly(before);
    SessionStore.StoredLedger ledger = store.ledger("bob", device).orElseThrow();
    assertThat(ledger.head()).isEqualTo(headBefore);
    assertThat(ledger.entries()).containsExactly(one);
  }

  @Test
  void aLedgerEntryRowMovedToAnotherSequenceNumber_isReportedDamaged_neverUsed() throws Exception {
    SessionStore store = store();
    byte[] device = random(32);
    store.save(
        session("bob", device, random(16), 1000),
        new SessionStore.LedgerUpdate(
            random(40),
            List.of(new LedgerEntry(1, random(41)), new LedgerEntry(2, random(41))),
            1));
    try (Connection raw = raw();
        Statement s = raw.createStatement()) {
      s.execute("DELETE FROM v2_ledger_entries WHERE seq = 1");
      s.execute("UPDATE v2_ledger_entries SET seq = 1 WHERE seq = 2");
    }
    assertThatThrownBy(() -> store.ledger("bob", device))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not decrypt");
  }

  @Test
  void aSchema3StoreWithAWholeLedgerRow_opens_keepsTheLedger_andSplitsItAtTheNextMessage()
      throws Exception {
    byte[] device = random(32);
    StoredSession session = session("bob", device, random(16), 1000);
    ConversationLedger old = ConversationLedger.create();
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    for (int i = 1; i <= 5; i++) {
      old.nextOutgoing(random(16), now);
    }
    byte[] oldState = old.toBytes();
    // The store as schema 3 left it: one whole-state row per ledger, no entry rows.
    SessionStore first = store();
    first.save(session, ledger(random(10)));
    AtRestKey key = AtRestKey.openOrCreate(openStores.getFirst(), alice);
    closeAll();
    try (Connection raw = raw();
        Statement s = raw.createStatement()) {
      s.execute("DROP TABLE group_records"); // schema 7
      s.execute("ALTER TABLE history DROP COLUMN partial"); // schema 6
      s.execute("DROP TABLE groups"); // schema 5
      s.execute("DROP TABLE group_receipts");
      s.execute("ALTER TABLE v2_sessions DROP COLUMN pending");
      s.execute("DROP TABLE v2_ledger_entries");
      s.execute("ALTER TABLE v2_ledgers DROP COLUMN generation");
      s.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
      try (PreparedStatement u = raw.prepareStatement("UPDATE v2_ledgers SET body = ?")) {
        u.setBytes(
            1,
            key.seal(
                oldState,
                AtRestKey.binding("v2_ledgers", "bob", HexFormat.of().formatHex(device))));
        u.executeUpdate();
      }
    }

    SessionStore reopened = store();
    SessionStore.StoredLedger stored = reopened.ledger("bob", device).orElseThrow();
    ConversationLedger ledger = ConversationLedger.fromStored(stored.head(), stored.entries());
    assertThat(ledger.toBytes()).isEqualTo(oldState);

    ledger.nextOutgoing(random(16), now);
    reopened.save(
        session,
        new SessionStore.LedgerUpdate(
            ledger.head(), ledger.unsavedEntries(), ledger.firstUnconfirmedSeq()));
    closeAll();
    SessionStore.StoredLedger split = store().ledger("bob", device).orElseThrow();
    assertThat(split.entries())
        .extracting(LedgerEntry::seq)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(ConversationLedger.fromStored(split.head(), split.entries()).toBytes())
        .isEqualTo(ledger.toBytes());
  }

  @Test
  void aStartedSessionsPendingInitialHeader_isKeptUntilReplaced_soAMessageSealedAgainCarriesIt()
      throws Exception {
    byte[] header = random(120);
    StoredSession started =
        new StoredSession("bob", random(32), random(16), random(300), random(200), 1000, header);
    store().save(started, ledger(random(40)));
    closeAll();

    SessionStore again = store();
    assertThat(again.sessions("bob")).containsExactly(started);
    StoredSession answered =
        new StoredSession(
            "bob",
            started.peerDevice(),
            started.sessionId(),
            started.peerCertificate(),
            random(200),
            2000);
    again.save(answered, ledger(random(40)));
    assertThat(again.sessions("bob")).containsExactly(answered);
  }

  @Test
  void aSessionRowCopiedOverAnother_isReportedDamaged_neverUsed() throws Exception {
    SessionStore store = store();
    store.save(session("bob", random(32), random(16), 1000), ledger(random(40)));
    store.save(session("carol", random(32), random(16), 1000), ledger(random(40)));
    try (Connection raw = raw();
        Statement s = raw.createStatement()) {
      s.execute(
          "UPDATE v2_sessions SET body = (SELECT body FROM v2_sessions WHERE peer = 'carol')"
              + " WHERE peer = 'bob'");
    }
    assertThatThrownBy(() -> store.sessions("bob"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not decrypt");
  }

  @Test
  void ratchetStatesLedgersAndPrekeys_neverReachTheFilesInTheClear() throws Exception {
    byte[] marker =
        "RATCHET-STATE-MARKER-0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] ledgerMarker =
        "LEDGER-MARKER-abcdefghijklmnop".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] prekeyMarker =
        "PREKEY-MARKER-qrstuvwxyz012345".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    SessionStore store = store();
    store.save(
        new StoredSession("bob", random(32), random(16), random(300), marker, 5),
        new SessionStore.LedgerUpdate(ledgerMarker, List.of(new LedgerEntry(1, ledgerMarker)), 1));
    store.savePrekeys(prekeyMarker);
    assertNoneInDataFolder(marker, ledgerMarker, prekeyMarker);
    closeAll();
    assertNoneInDataFolder(marker, ledgerMarker, prekeyMarker);
  }

  @Test
  void theStoreFiles_stayOwnerOnly() throws Exception {
    SessionStore store = store();
    store.save(session("bob", random(32), random(16), 1000), ledger(random(40)));
    Path data = dir.resolve("data");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
        .isEqualTo("rwx------");
    try (var files = Files.list(data)) {
      for (Path f : files.toList()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
            .as(f.getFileName().toString())
            .isEqualTo("rw-------");
      }
    }
  }

  private void assertNoneInDataFolder(byte[]... secrets) throws IOException {
    try (var files = Files.list(dir.resolve("data"))) {
      for (Path f : files.toList()) {
        byte[] content = Files.readAllBytes(f);
        for (byte[] secret : secrets) {
          assertThat(indexOf(content, secret)).as(f.getFileName().toString()).isEqualTo(-1);
        }
      }
    }
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private Connection raw() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data").resolve("client.db"));
  }
}
