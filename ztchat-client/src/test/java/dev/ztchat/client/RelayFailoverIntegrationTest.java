package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.client.RelayEndpoints.Endpoint;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client given two relay nodes on one PostgreSQL database ({@code --server h:p,h:p}) moves to the
 * second when the first closes: what it had sent before is delivered from the shared queue, what it
 * typed meanwhile drains from its outbox on the second node, and what it sends there reaches its
 * contact; each message is shown once.
 */
class RelayFailoverIntegrationTest {
  private static DevPostgres postgres;

  @TempDir Path dir;
  TestPki pki;
  RelayServer node1;
  RelayServer node2;

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
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    database = postgres.newDatabase();
    // node 1's connections name themselves, so that a test can make its writes fail alone
    node1 = node(certs, "node1", database + "?ApplicationName=" + NODE1_APPLICATION);
    node2 = node(certs, "node2", database);
  }

  static final String NODE1_APPLICATION = "ztchat-node1";

  String database;

  /**
   * From now on every envelope node 1 tries to store fails in the database (as when its disk fills
   * or its role loses a grant), while node 1 still answers and its database still accepts reads:
   * node 1 stays up and answers each {@code send} with {@code internal}.
   */
  void node1CannotStoreEnvelopes() throws Exception {
    URI url = URI.create(database);
    String[] user = url.getUserInfo().split(":", 2);
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://" + url.getHost() + ":" + url.getPort() + url.getPath(),
                user[0],
                user.length > 1 ? user[1] : "");
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE FUNCTION refuse_node1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF"
              + " current_setting('application_name') = '"
              + NODE1_APPLICATION
              + "' THEN RAISE EXCEPTION 'no space left on device'; END IF; RETURN NEW; END $$");
      s.execute(
          "CREATE TRIGGER refuse_node1 BEFORE INSERT ON queue FOR EACH ROW EXECUTE FUNCTION"
              + " refuse_node1()");
    }
  }

  static RelayServer node(CertsLayout certs, String name, String database) throws Exception {
    RelayServerConfig c =
        RelayServerConfig.defaults(certs, certs.root().resolveSibling(name)).withPort(0);
    return RelayServer.start(c.withQueue(c.queue().withStore(database)));
  }

  @AfterEach
  void stop() {
    node1.close();
    node2.close();
  }

  ChatClientConfig config(String name, RelayServer... relays) {
    List<String> list = new ArrayList<>();
    for (RelayServer r : relays) {
      list.add("localhost:" + r.port());
    }
    return ChatClientConfig.of(
            "localhost",
            relays[0].port(),
            pki.user(name),
            pki.ca().certificate(),
            dir.resolve("data-" + name))
        .withRelays(RelayEndpoints.parse(String.join(",", list)));
  }

  /** An inbox that also records the connection states it is shown. */
  static final class Screen extends Inbox {
    final List<ConnectionStatus> states = new CopyOnWriteArrayList<>();

    @Override
    public void onConnectionState(ConnectionStatus status) {
      states.add(status);
    }

    boolean connectedTo(RelayServer node) {
      Endpoint relay = new Endpoint("localhost", node.port());
      return states.stream()
          .anyMatch(
              s -> s.state() == ConnectionState.CONNECTED && s.relay().equals(Optional.of(relay)));
    }
  }

  @Test
  void whenItsRelayCloses_theClientMovesToTheNext_andEveryMessageArrivesOnce() throws Exception {
    Screen aliceScreen = new Screen();
    try (ChatClient alice = ChatClient.start(config("alice", node1, node2), aliceScreen)) {
      assertThat(Polling.eventually(Duration.ofSeconds(10), () -> aliceScreen.connectedTo(node1)))
          .as("alice on node 1: " + aliceScreen.states)
          .isTrue();
      assertThat(alice.send("bob", "sent before the failure").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);

      node1.close();
      alice.sendOrKeep("bob", "typed while her relay was down");

      assertThat(Polling.eventually(Duration.ofSeconds(20), () -> aliceScreen.connectedTo(node2)))
          .as("alice moved to node 2: " + aliceScreen.states)
          .isTrue();
      assertThat(aliceScreen.states)
          .map(ConnectionStatus::describe)
          .contains("connected to localhost:" + node2.port())
          .anyMatch(
              line ->
                  line.startsWith("offline (") && line.endsWith(" with localhost:" + node2.port()));

      Inbox bobInbox = new Inbox();
      try (ChatClient bob = ChatClient.connect(config("bob", node2), bobInbox)) {
        List<String> first = List.of(bobInbox.next().text(), bobInbox.next().text());
        assertThat(first)
            .containsExactlyInAnyOrder("sent before the failure", "typed while her relay was down");

        alice.send("bob", "sent after the move");
        assertThat(bobInbox.next().text()).isEqualTo("sent after the move");

        OpenedMessage again = bobInbox.messages.poll(2, TimeUnit.SECONDS);
        assertThat(again).as("nothing shown twice").isNull();
        assertThat(bobInbox.warnings).isEmpty();
        assertThat(bob.history("alice", 10)).hasSize(3);
      }
      assertThat(alice.waiting("bob")).as("alice's outbox drained").isEmpty();
    }
  }

  @Test
  void anEnvelopeUnacknowledgedWhenItsRelayCloses_isPushedAgainByTheNext_andShownOnce()
      throws Exception {
    Screen bobScreen = new Screen();
    AtomicInteger arrived = new AtomicInteger();
    try (ChatClient bob = ChatClient.connect(config("bob", node1, node2), bobScreen)) {
      bob.disableAcknowledgements(); // as if node 1 failed before bob's acknowledgement reached it
      bob.onRawEnvelope(bytes -> arrived.incrementAndGet());
      try (ChatClient alice = ChatClient.connect(config("alice", node2), new Inbox())) {
        alice.send("bob", "pushed by node 1, never acknowledged");
      }
      assertThat(bobScreen.next().text()).isEqualTo("pushed by node 1, never acknowledged");

      node1.close();

      assertThat(Polling.eventually(Duration.ofSeconds(20), () -> arrived.get() >= 2))
          .as("node 2 pushed it again: " + bobScreen.states)
          .isTrue();
      assertThat(bobScreen.connectedTo(node2)).isTrue();
      assertThat(bobScreen.messages.poll(1, TimeUnit.SECONDS)).as("shown once").isNull();
      assertThat(bob.history("alice", 10)).hasSize(1);
    }
  }

  @Test
  void aRelayThatCannotStoreAMessage_sendsTheClientToTheNext_andTheMessageArrivesOnce()
      throws Exception {
    node1CannotStoreEnvelopes();
    Screen aliceScreen = new Screen();
    String id;
    try (ChatClient alice = ChatClient.connect(config("alice", node1, node2), aliceScreen)) {
      assertThat(aliceScreen.connectedTo(node1)).isTrue();
      UnconfirmedSendException kept =
          catchThrowableOfType(
              UnconfirmedSendException.class, () -> alice.send("bob", "node 1 cannot store this"));
      assertThat(kept).as("node 1 answered internal: the message is kept").isNotNull();
      assertThat(kept.getMessage()).contains("could not store", "kept on this device");
      id = kept.messageIdHex();

      assertThat(alice.awaitAccepted(id, Duration.ofSeconds(20)))
          .as("sent again through node 2: " + aliceScreen.states)
          .isTrue();
      assertThat(aliceScreen.connectedTo(node2)).isTrue();
    }
    Inbox bobInbox = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob", node2), bobInbox)) {
      OpenedMessage got = bobInbox.next();
      assertThat(got.text()).isEqualTo("node 1 cannot store this");
      assertThat(got.messageIdHex()).isEqualTo(id);
      assertThat(bobInbox.messages.poll(2, TimeUnit.SECONDS)).as("shown once").isNull();
    }
  }

  @Test
  void oneShotConnect_skipsARelayThatIsDown() throws Exception {
    node1.close();

    Inbox inbox = new Inbox();
    try (ChatClient alice = ChatClient.connect(config("alice", node1, node2), inbox)) {
      assertThat(alice.send("bob", "through node 2").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);
    }
    Inbox bobInbox = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob", node2, node1), bobInbox)) {
      assertThat(bobInbox.next().text()).isEqualTo("through node 2");
    }
  }
}
