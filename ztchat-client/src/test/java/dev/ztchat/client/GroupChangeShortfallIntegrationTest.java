package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group change sent in parts whose later part the relay could not store (docs/v2/groups.md
 * sections 7.1 and 7.2): the members of the earlier parts have it, so it is made; the user is told
 * whom it did not reach, and it reaches them on the next flush, before the group's next text. Real
 * relay with a small frame limit (new sessions' large entries split the change), whose SQLite store
 * is made to refuse one member's copies by a trigger, as a full disk would.
 */
class GroupChangeShortfallIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MAX_FRAME = 6144; // a few new sessions' entries per envelope
  private static final List<String> MEMBERS = List.of("bob", "carol", "dave", "erin", "zed");

  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "dave", "erin", "zed");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
                .withPort(0)
                .withMaxFrame(MAX_FRAME)
                .withRateLimit(1000, 2000)); // the test's own device checks fetch in a burst
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClient connect(String user, ChatListener inbox) throws Exception {
    return DeviceClients.connect(server, pki, dir, user, inbox);
  }

  /** The relay's store, where a test makes writes fail. */
  private Connection relayStore() throws Exception {
    Connection c =
        DriverManager.getConnection(
            "jdbc:sqlite:" + dir.resolve("relay").resolve("relay.db").toAbsolutePath());
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
    }
    return c;
  }

  /** From now on the relay cannot store a copy for zed: it answers such a send {@code internal}. */
  private void relayCannotStoreForZed() throws Exception {
    try (Connection c = relayStore();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TRIGGER refuse_zed BEFORE INSERT ON queue WHEN NEW.recipient = 'zed'"
              + " BEGIN SELECT RAISE(ABORT, 'no space left on device'); END");
    }
  }

  private void relayStoresAgain() throws Exception {
    try (Connection c = relayStore();
        Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER refuse_zed");
    }
  }

  private static boolean shortfall(String notice) {
    return notice.contains("reached some members but not");
  }

  private static long waitingChanges(ChatClient c) throws Exception {
    return c.outgoing.waitingCount(Groups::isChangeKey);
  }

  @Test
  void aCreateWhoseLaterPartTheRelayCouldNotStore_isMade_tellsWhom_andReachesThemBeforeTheNextText()
      throws Exception {
    GroupInbox alices = new GroupInbox();
    Map<String, GroupInbox> inboxes = new LinkedHashMap<>();
    MEMBERS.forEach(m -> inboxes.put(m, new GroupInbox()));
    try (ChatClient alice = connect("alice", alices);
        ChatClient bob = connect("bob", inboxes.get("bob"));
        ChatClient carol = connect("carol", inboxes.get("carol"));
        ChatClient dave = connect("dave", inboxes.get("dave"));
        ChatClient erin = connect("erin", inboxes.get("erin"))) {
      try (ChatClient zed = connect("zed", inboxes.get("zed"))) {
        for (String m : MEMBERS) {
          MultiDeviceIntegrationTest.awaitDevices(alice, m, 1);
        }
      } // zed goes offline, its keys published: its copies are written to the relay's store
      relayCannotStoreForZed();
      List<byte[]> reachingBob = new CopyOnWriteArrayList<>();
      bob.onRawEnvelope(reachingBob::add);

      GroupView team = alice.createGroup("team", MEMBERS);

      assertThat(team.members())
          .as("made: the members of its earlier parts have it")
          .containsExactly("alice", "bob", "carol", "dave", "erin", "zed");
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      assertThat(Polling.eventually(WAIT, () -> !reachingBob.isEmpty())).isTrue();
      assertThat(LargeGroupIntegrationTest.decode(reachingBob.getFirst()).prefix().recipients())
          .as("the change was split: bob's part does not name zed")
          .doesNotContain("zed");
      String told =
          alices.notices.stream()
              .filter(GroupChangeShortfallIntegrationTest::shortfall)
              .findFirst()
              .orElseThrow();
      assertThat(told)
          .as("alice is told whom it did not reach, why, and that it goes again")
          .startsWith("[!] #team: your change reached some members but not ")
          .contains("zed")
          .contains("the server could not store the message")
          .contains("sent to them again");
      assertThat(waitingChanges(alice)).as("kept for those it did not reach").isEqualTo(1);
      assertThat(alices.notices).noneMatch(n -> n.contains("waits to be sent"));

      relayStoresAgain();
      try (ChatClient zed = connect("zed", inboxes.get("zed"))) {
        alice.sendToGroup("#team", "welcome, everyone"); // what waits goes first
        for (Map.Entry<String, GroupInbox> e : inboxes.entrySet()) {
          assertThat(e.getValue().changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
              .as("%s learns #team once", e.getKey())
              .isEqualTo("alice created #team with " + String.join(", ", MEMBERS));
          assertThat(e.getValue().next(1))
              .as("%s shows the text after the group it belongs to", e.getKey())
              .containsExactly("#team alice: welcome, everyone");
        }
        for (Map.Entry<String, GroupInbox> e : inboxes.entrySet()) {
          e.getValue().assertNothingMore();
          assertThat(e.getValue().changes).as("%s: the create once", e.getKey()).isEmpty();
          assertThat(e.getValue().refused).as("%s refused nothing", e.getKey()).isEmpty();
        }
        assertThat(zed.groups())
            .singleElement()
            .satisfies(g -> assertThat(g.shown()).isEqualTo("#team"));
        assertThat(waitingChanges(alice)).isZero();
        assertThat(alices.notices.stream().filter(GroupChangeShortfallIntegrationTest::shortfall))
            .as("told once, not on every retry")
            .hasSize(1);
      }
    }
  }
}
