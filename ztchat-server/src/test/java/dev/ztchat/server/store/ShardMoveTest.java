package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adding a database to {@code --store}, and taking one out: the relay refuses the new list while
 * queued envelopes would be stranded, {@link ShardMove} moves them (in order, with their devices
 * still to acknowledge and their contacts; a removed database drained into the remaining ones, each
 * envelope once even when a move is cut short and run again), and the relay then opens the new
 * list; the home database must stay first and cannot be taken out, and a wrong command changes
 * nothing.
 */
class ShardMoveTest {
  private static final String LAPTOP = "aa".repeat(32);
  private static final String PHONE = "bb".repeat(32);
  private static final int USERS = 40;

  private static DevPostgres postgres;

  @TempDir Path dir;
  private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-26T12:00:00Z"));
  private String a;
  private String b;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void databases() throws Exception {
    a = postgres.newDatabase();
    b = postgres.newDatabase();
  }

  private OfflineQueue open(String store) throws IOException {
    return OfflineQueue.open(QueueLimits.defaults(dir).withStore(store), clock);
  }

  private static String user(int i) {
    return "user" + i;
  }

  /** Three envelopes for each user on one database, the first acknowledged by one device. */
  private void fillOneDatabase() throws Exception {
    try (OfflineQueue q = open(a)) {
      for (int i = 0; i < USERS; i++) {
        for (int m = 1; m <= 3; m++) {
          q.enqueue(
              List.of(user(i)),
              "alice",
              "m" + m,
              clock.millis(),
              new byte[] {(byte) i, (byte) m},
              r -> List.of(LAPTOP, PHONE),
              e -> {});
        }
        assertThat(q.remove(user(i), LAPTOP, "alice", "m1")).isTrue();
        q.recordContact(user(i), "carol");
      }
      q.registerDevice("user0", LAPTOP, true);
    }
  }

  @Test
  void addingADatabase_isRefused_whileQueuesWouldBeStranded_andOpens_afterTheMove()
      throws Exception {
    fillOneDatabase();
    assertThatThrownBy(() -> open(a + "," + b))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("would be stranded")
        .hasMessageContaining("ztchat server store-move");

    ShardMove.Moved moved =
        ShardMove.move(PostgresUrl.parseList(a + "," + b), QueueLimits.defaults(dir), clock);
    assertThat(moved.recipients()).isBetween(5, USERS - 5); // about half move to the new one
    assertThat(moved.envelopes()).isEqualTo(3 * moved.recipients());

    try (OfflineQueue q = open(a + "," + b)) {
      for (int i = 0; i < USERS; i++) {
        assertThat(q.after(user(i), LAPTOP, 0, 10))
            .extracting(QueuedEnvelope::messageId)
            .containsExactly("m2", "m3");
        assertThat(q.after(user(i), PHONE, 0, 10))
            .extracting(QueuedEnvelope::messageId)
            .containsExactly("m1", "m2", "m3");
        assertThat(q.targetsLeft(user(i), "alice", "m1")).isEqualTo(1);
        assertThat(q.contactsOf(user(i))).containsExactlyInAnyOrder("alice", "carol");
      }
      assertThat(q.registeredDevices()).containsKey("user0");
      assertThat(q.totals().messages()).isEqualTo(3L * USERS);
    }
    try (QueueStats.Reader stats = QueueStats.Reader.open(a + "," + b, dir)) {
      assertThat(stats.totals(clock.millis()).messages()).isEqualTo(3L * USERS);
      assertThat(stats.byRecipient(clock.millis())).hasSize(USERS);
    }
    Set<String> onA = recipients(a);
    Set<String> onB = recipients(b);
    assertThat(onB).hasSize(moved.recipients());
    assertThat(onA).doesNotContainAnyElementsOf(onB);
    assertThat(onA.size() + onB.size()).isEqualTo(USERS);
  }

  @Test
  void aMoveCutShortAndRunAgain_copiesNothingTwice() throws Exception {
    fillOneDatabase();
    var urls = PostgresUrl.parseList(a + "," + b);
    ShardMove.Moved first = ShardMove.move(urls, QueueLimits.defaults(dir), clock);
    ShardMove.Moved again = ShardMove.move(urls, QueueLimits.defaults(dir), clock);
    assertThat(again.recipients()).isZero();
    try (OfflineQueue q = open(a + "," + b)) {
      assertThat(q.totals().messages()).isEqualTo(3L * USERS);
      assertThat(first.recipients()).isPositive();
    }
  }

  @Test
  void leavingOutADatabaseTheStoreUsed_isRefused() throws Exception {
    fillOneDatabase();
    ShardMove.move(PostgresUrl.parseList(a + "," + b), QueueLimits.defaults(dir), clock);
    assertThatThrownBy(() -> open(a))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("leaves out");
  }

  @Test
  void theHomeDatabase_mustStayFirst() throws Exception {
    try (OfflineQueue q = open(a + "," + b)) {
      q.registerDevice("bob", LAPTOP, false);
    }
    assertThatThrownBy(() -> open(b + "," + a))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("list it first");
  }

  @Test
  void oneDatabaseUnderTwoNames_isRefused() throws Exception {
    String other = a.replace("@127.0.0.1:", "@localhost:");
    assertThatThrownBy(() -> open(a + "," + other))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("names one database twice");
  }

  @Test
  void aNewEmptyDatabase_joinsWithoutAMove() throws Exception {
    try (OfflineQueue q = open(a)) {
      q.registerDevice("bob", LAPTOP, false);
    }
    try (OfflineQueue q = open(a + "," + b)) {
      assertThat(q.registeredDevices()).containsKey("bob");
    }
  }

  /** Three databases in one store, three envelopes for each user, each on its owner. */
  private String fillThreeDatabases() throws Exception {
    String c = postgres.newDatabase();
    try (OfflineQueue q = open(a + "," + b + "," + c)) {
      for (int i = 0; i < USERS; i++) {
        for (int m = 1; m <= 3; m++) {
          q.enqueue(
              List.of(user(i)),
              "alice",
              "m" + m,
              clock.millis(),
              new byte[] {(byte) i, (byte) m},
              r -> List.of(LAPTOP, PHONE),
              e -> {});
        }
        assertThat(q.remove(user(i), LAPTOP, "alice", "m1")).isTrue();
      }
    }
    assertThat(recipients(c)).hasSizeBetween(3, USERS - 3); // about a third each
    return c;
  }

  private static ShardMove.Moved takeOut(String store, String removed) throws IOException {
    return takeOut(store, removed, ShardMove.Progress.NONE);
  }

  private static ShardMove.Moved takeOut(String store, String removed, ShardMove.Progress progress)
      throws IOException {
    return ShardMove.move(
        PostgresUrl.parseList(store),
        removed.isEmpty() ? List.of() : PostgresUrl.parseList(removed),
        QueueLimits.defaults(Path.of("data")),
        MutableClock.at(Instant.parse("2026-11-26T12:00:00Z")),
        progress);
  }

  /**
   * Each user's queue as the relay on {@code store} reads it: one device's view and the other's.
   */
  private void assertEveryQueueWhole(String store) throws IOException {
    try (OfflineQueue q = open(store)) {
      for (int i = 0; i < USERS; i++) {
        assertThat(q.after(user(i), LAPTOP, 0, 10))
            .extracting(QueuedEnvelope::messageId)
            .containsExactly("m2", "m3");
        assertThat(q.after(user(i), PHONE, 0, 10))
            .extracting(QueuedEnvelope::messageId)
            .containsExactly("m1", "m2", "m3");
        assertThat(q.targetsLeft(user(i), "alice", "m1")).isEqualTo(1);
      }
      assertThat(q.totals().messages()).isEqualTo(3L * USERS);
    }
  }

  @Test
  void takingADatabaseOut_movesItsQueuesToTheirNewOwners_inOrder_withTheirDevices()
      throws Exception {
    String c = fillThreeDatabases();
    Set<String> onC = recipients(c);
    assertThatThrownBy(() -> open(a + "," + b))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("leaves out")
        .hasMessageContaining("--from");
    List<String> said = new ArrayList<>();

    ShardMove.Moved moved =
        takeOut(
            a + "," + b,
            c,
            new ShardMove.Progress() {
              @Override
              public void draining(String from, int recipients) {
                said.add(from + " " + recipients);
              }
            });

    assertThat(moved.recipients()).isEqualTo(onC.size());
    assertThat(moved.envelopes()).isEqualTo(3 * onC.size());
    assertThat(said).containsExactly(PostgresUrl.parse(c) + " " + onC.size());
    assertThat(recipients(c)).isEmpty();
    assertEveryQueueWhole(a + "," + b);
    assertThat(takeOut(a + "," + b, c))
        .as("run again: nothing left")
        .isEqualTo(new ShardMove.Moved(0, 0));
  }

  @Test
  void aRemovalCutShort_isRefusedByTheRelays_andFinishedByRunningItAgain_eachEnvelopeOnce()
      throws Exception {
    String c = fillThreeDatabases();
    int[] copies = {0};
    assertThatThrownBy(
            () ->
                takeOut(
                    a + "," + b,
                    c,
                    new ShardMove.Progress() {
                      @Override
                      public void copied(String from, String to, int envelopes) {
                        if (++copies[0] == 2) { // the second queue copied, not yet deleted
                          throw new IllegalStateException("cut short");
                        }
                      }
                    }))
        .hasMessage("cut short");
    assertThat(count(a) + count(b) + count(c)).as("copies in both").isEqualTo(3L * USERS + 3);
    assertThatThrownBy(() -> open(a + "," + b)).hasMessageContaining("was cut short");
    assertThatThrownBy(() -> open(a + "," + b + "," + c)).hasMessageContaining("was cut short");
    assertThatThrownBy(() -> takeOut(a + "," + b + "," + c, ""))
        .as("another list cannot take over a move cut short")
        .hasMessageContaining("finish it first");

    takeOut(a + "," + b, c);

    assertThat(count(a) + count(b)).as("each envelope once").isEqualTo(3L * USERS);
    assertThat(count(c)).isZero();
    assertEveryQueueWhole(a + "," + b);
  }

  @Test
  void takingOutTheHome_isRefused_andNothingChanges() throws Exception {
    String c = fillThreeDatabases();
    assertThatThrownBy(() -> takeOut(b + "," + c, a))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is the home database")
        .hasMessageContaining("nothing was changed");
    assertEveryQueueWhole(a + "," + b + "," + c);
  }

  @Test
  void takingOutADatabaseOfNoStoreOrOfAnotherStore_isRefused_andNothingChanges() throws Exception {
    String c = fillThreeDatabases();
    String empty = postgres.newDatabase();
    assertThatThrownBy(() -> takeOut(a + "," + b + "," + c, empty))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("holds no relay store")
        .hasMessageContaining("nothing was changed");
    assertThat(count(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
        .as("no table made there")
        .isZero();

    String otherHome = postgres.newDatabase();
    String otherShard = postgres.newDatabase();
    open(otherHome + "," + otherShard).close();
    assertThatThrownBy(() -> takeOut(a + "," + b + "," + c, otherShard))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not a shard of this store");
    assertThatThrownBy(
            () -> takeOut(a + "," + b, c + "," + a.replace("@127.0.0.1:", "@localhost:")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("home database");
    assertEveryQueueWhole(a + "," + b + "," + c);
  }

  @Test
  void takingOutADatabaseThatDoesNotAnswer_isRefused_andNothingChanges() throws Exception {
    String c = fillThreeDatabases();
    String gone = "postgresql://ztchat:pw@127.0.0.1:1/ztchat";
    assertThatThrownBy(() -> takeOut(a + "," + b, c + "," + gone))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot read postgresql://ztchat@127.0.0.1:1/ztchat")
        .hasMessageContaining("nothing was changed");
    assertThat(recipients(c)).isNotEmpty();
    assertEveryQueueWhole(a + "," + b + "," + c);
  }

  @Test
  void aListThatLeavesADatabaseOut_withoutFrom_isRefused_andNothingChanges() throws Exception {
    String c = fillThreeDatabases();
    assertThatThrownBy(() -> takeOut(a + "," + b, ""))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("--from does not name them");
    assertThatThrownBy(() -> takeOut(a + "," + b + "," + c, c))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("in both --store and --from");
    assertEveryQueueWhole(a + "," + b + "," + c);
  }

  @Test
  void aMove_whileARelayNodeBeats_isRefused() throws Exception {
    String c = fillThreeDatabases();
    count(a, "INSERT INTO relay_nodes (node, heartbeat) VALUES ('n1', now()) RETURNING 1");
    assertThatThrownBy(() -> takeOut(a + "," + b, c))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("stop every relay node first");
    count(a, "UPDATE relay_nodes SET heartbeat = now() - interval '1 minute' RETURNING 1");
    assertThat(takeOut(a + "," + b, c).recipients()).isPositive();
  }

  private static long count(String url) throws Exception {
    return count(url, "SELECT count(*) FROM queue");
  }

  /** The first column of the first row {@code sql} returns on {@code url}. */
  private static long count(String url, String sql) throws Exception {
    try (Connection c = connect(url);
        PreparedStatement q = c.prepareStatement(sql);
        ResultSet rs = q.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** A connection to {@code url} as its owner, outside any relay store. */
  private static Connection connect(String url) throws Exception {
    PostgresUrl u = PostgresUrl.parse(url);
    Properties p = new Properties();
    p.setProperty("user", u.user());
    p.setProperty("password", u.password());
    return DriverManager.getConnection(u.jdbcUrl(), p);
  }

  private static Set<String> recipients(String url) throws Exception {
    Set<String> out = new HashSet<>();
    try (Connection c = connect(url);
        PreparedStatement q = c.prepareStatement("SELECT DISTINCT recipient FROM queue");
        ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
