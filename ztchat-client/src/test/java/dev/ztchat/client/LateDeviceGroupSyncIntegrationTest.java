package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupRules;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.ForwardedChanges;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that joins after its person's group was made learns the group from the group's changes
 * as their authors signed them (docs/v2/groups.md section 6.6), then shows the group's messages; a
 * "change" no admin signed is refused. Real relay, real TLS, certificates minted here.
 *
 * <p>The first tests send nothing by hand: each member's client forwards the changes it kept when
 * it accepts the new device. The last one sends crafted records through the relay.
 */
class LateDeviceGroupSyncIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
                .withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Credential device(String name, String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  ChatClient connect(String user, String folder, Credential device, ChatListener inbox)
      throws Exception {
    return connect(user, folder, device, inbox, true);
  }

  ChatClient connect(
      String user, String folder, Credential device, ChatListener inbox, boolean sendToNewDevices)
      throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(folder))
            .withDevice(device)
            .withSendToNewDevices(sendToNewDevices),
        inbox);
  }

  /** Waits until the relay hands out {@code asker} the prekeys of each of {@code members}. */
  static void awaitPrekeys(ChatClient asker, String... members) throws InterruptedException {
    for (String m : members) {
      MultiDeviceIntegrationTest.awaitDevices(asker, m, 1);
    }
  }

  /** A device's id as envelopes name it: the SHA-256 of its certificate, in hex. */
  static String deviceHex(Credential device) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(device.certificate().getEncoded()));
  }

  @Test
  void aPhoneIssuedAfterTheGroup_learnsItFromTheChangesItsMembersForward_andShowsEachTextOnce()
      throws Exception {
    GroupInbox laptops = new GroupInbox();
    GroupInbox bobs = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    GroupInbox phones = new GroupInbox();
    try (ChatClient laptop = connect("alice", "alice", device("alice", "laptop"), laptops);
        ChatClient bob = connect("bob", "bob", device("bob", "laptop"), bobs);
        ChatClient carol = connect("carol", "carol", device("carol", "laptop"), carols)) {
      awaitPrekeys(laptop, "bob", "carol");
      laptop.createGroup("team", List.of("bob", "carol"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);

      try (ChatClient phone = connect("alice", "alice+phone", device("alice", "phone"), phones)) {
        MultiDeviceIntegrationTest.awaitDevices(bob, "alice", 2);
        // No new change: the laptop learns the phone from the relay's missing= answer to its
        // text and forwards the create it made; bob does the same before his own text.
        laptop.sendToGroup("#team", "from the laptop");
        assertThat(phones.changes.poll(15, TimeUnit.SECONDS))
            .as("the laptop forwards the create it signed to its new phone")
            .isEqualTo("you created #team with bob, carol");
        assertThat(phones.next(1)).containsExactly("#team alice: from the laptop");
        bob.sendToGroup("#team", "from bob");
        assertThat(phones.next(1)).containsExactly("#team bob: from bob");
        bob.sendToGroup("#team", "bob again");
        assertThat(phones.next(1)).containsExactly("#team bob: bob again");
        phones.assertNothingMore();

        assertThat(phones.refused).as("nothing refused on the phone").isEmpty();
        assertThat(phones.changes)
            .as("the create applied once, however many members forwarded it")
            .isEmpty();
        assertThat(phone.groups())
            .singleElement()
            .satisfies(
                g -> {
                  assertThat(g.shown()).isEqualTo("#team");
                  assertThat(g.members()).containsExactly("alice", "bob", "carol");
                });
        assertThat(laptops.next(2)).containsExactly("#team bob: from bob", "#team bob: bob again");
        assertThat(laptop.outgoing.waitingCount(GroupSyncSending::isKey))
            .as("nothing forwarded is left waiting")
            .isZero();
      }
    }
  }

  @Test
  void aTextWhoseStaleAnswerRevealsMyNewPhone_reachesThePhoneOnce_afterTheGroupItLearnsFirst()
      throws Exception {
    GroupInbox laptops = new GroupInbox();
    GroupInbox bobs = new GroupInbox();
    GroupInbox phones = new GroupInbox();
    try (ChatClient laptop = connect("alice", "alice", device("alice", "laptop"), laptops);
        ChatClient bob = connect("bob", "bob", device("bob", "laptop"), bobs)) {
      awaitPrekeys(laptop, "bob");
      laptop.createGroup("team", List.of("bob"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);

      try (ChatClient phone = connect("alice", "alice+phone", device("alice", "phone"), phones)) {
        MultiDeviceIntegrationTest.awaitDevices(bob, "alice", 2); // the relay lists the phone
        // The laptop knows no phone: the relay refuses the text as stale_devices, naming it.
        SendResult sent = laptop.sendToGroup("#team", "the text that finds the phone");
        assertThat(sent.statusOf("bob").accepted()).isTrue();
        assertThat(bobs.next(1)).containsExactly("#team alice: the text that finds the phone");

        assertThat(phones.changes.poll(15, TimeUnit.SECONDS))
            .as("the phone learns #team from the create its laptop forwards")
            .isEqualTo("you created #team with bob");
        assertThat(phones.next(1))
            .as("then it shows the text that revealed it, as mine")
            .containsExactly("#team alice: the text that finds the phone");
        phones.assertNothingMore();
        assertThat(phones.refused)
            .as("the text did not arrive before the group it belongs to")
            .isEmpty();
        assertThat(phone.groupConversation("#team", 10))
            .as("the phone's #team: the create, then the text, once")
            .extracting(HistoryEntry::text)
            .containsExactly("you created #team with bob", "the text that finds the phone");
        assertThat(phone.groupConversation("#team", 10).getLast().messageIdHex())
            .as("under the id the laptop sent it with")
            .isEqualTo(sent.messageId());

        laptop.sendToGroup("#team", "later");
        assertThat(phones.next(1)).containsExactly("#team alice: later");
        assertThat(bobs.next(1)).containsExactly("#team alice: later");
        phones.assertNothingMore();
        bobs.assertNothingMore();
        assertThat(laptop.outgoing.waitingCount(k -> true)).as("nothing left waiting").isZero();
      }
    }
  }

  @Test
  void theRecordKeptOfMyChange_isTheEnvelopeMyMembersGot_byteForByte() throws Exception {
    List<byte[]> reachingBob = new CopyOnWriteArrayList<>();
    GroupView team;
    try (ChatClient laptop =
            connect("alice", "alice", device("alice", "laptop"), new GroupInbox());
        ChatClient bob = connect("bob", "bob", device("bob", "laptop"), new GroupInbox())) {
      bob.onRawEnvelope(reachingBob::add);
      awaitPrekeys(laptop, "bob");
      team = laptop.createGroup("team", List.of("bob"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      assertThat(Polling.eventually(Duration.ofSeconds(15), () -> !reachingBob.isEmpty())).isTrue();
    }

    try (ClientStore store = ClientStore.open(dir.resolve("alice"))) {
      List<String> states = new ArrayList<>();
      try (Statement s = store.db().createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT state_hash FROM group_records WHERE group_id = '" + team.idHex() + "'")) {
        while (rs.next()) {
          states.add(rs.getString(1));
        }
      }
      assertThat(states).as("one record kept: the create").hasSize(1);
      ForwardedChange kept =
          new GroupRecordStore(store, AtRestKey.openOrCreate(store, pki.user("alice")))
              .record(team.idHex(), states.getFirst())
              .orElseThrow();
      try {
        assertThat(kept.envelope())
            .as("the envelope bob got, not one signed again for the record")
            .isEqualTo(reachingBob.getFirst());
      } finally {
        kept.destroy();
      }
    }
  }

  @Test
  void aContactsTabletAcceptedAfterTheGroup_getsTheGroupBeforeTheTextsItMissed() throws Exception {
    GroupHeldResendIntegrationTest.Window alices = new GroupHeldResendIntegrationTest.Window();
    GroupInbox bobs = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    GroupInbox tablets = new GroupInbox();
    try (ChatClient alice = connect("alice", "alice", device("alice", "laptop"), alices, false);
        ChatClient bob = connect("bob", "bob", device("bob", "laptop"), bobs, false);
        ChatClient carol = connect("carol", "carol", device("carol", "laptop"), carols, false)) {
      awaitPrekeys(alice, "bob", "carol");
      alice.createGroup("team", List.of("bob", "carol"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);

      Credential tabletKey = device("carol", "tablet");
      try (ChatClient tablet = connect("carol", "carol+tablet", tabletKey, tablets, false)) {
        MultiDeviceIntegrationTest.awaitDevices(alice, "carol", 2);
        alice.sendToGroup("#team", "the text that finds the tablet");
        KeyChangedException told = alices.blocked.poll(15, TimeUnit.SECONDS);
        assertThat(told).as("carol's tablet is told like a key change").isNotNull();
        assertThat(told.newDevice()).isEqualTo(deviceHex(tabletKey));
        alice.sendToGroup("#team", "while the tablet was held");
        assertThat(carols.next(2))
            .containsExactly(
                "#team alice: the text that finds the tablet",
                "#team alice: while the tablet was held");
        assertThat(tablets.lines.poll(1, TimeUnit.SECONDS)).as("held: nothing yet").isNull();

        alice.acceptChange(told);
        assertThat(tablets.changes.poll(15, TimeUnit.SECONDS))
            .as("alice forwards the create she made as soon as she accepts the tablet")
            .isEqualTo("alice created #team with bob, carol");
        assertThat(tablets.next(1))
            .as("then the text re-sent to the accepted tablet, shown in the group it now knows")
            .containsExactly("#team alice: while the tablet was held");
        bob.sendToGroup("#team", "bob later");
        assertThat(carols.next(1)).containsExactly("#team bob: bob later");
        assertThat(tablets.next(1)).containsExactly("#team bob: bob later");
        tablets.assertNothingMore();
        assertThat(tablets.refused).isEmpty();
        assertThat(tablets.changes).as("the create applied once").isEmpty();
      }
    }
  }

  @Test
  void forwardedChangesNoAdminSigned_areRefusedThroughTheRelay_withTheSection66Words()
      throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "dave");
    server.close();
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs2")), dir.resolve("relay2"))
                .withPort(0));
    Credential laptopKey = device("alice", "laptop");
    Credential carolKey = device("carol", "laptop");
    Credential daveKey = device("dave", "laptop");
    Credential phoneKey = device("alice", "phone");
    GroupInbox laptops = new GroupInbox();
    GroupInbox phones = new GroupInbox();
    try (ChatClient laptop = connect("alice", "alice", laptopKey, laptops);
        ChatClient bob = connect("bob", "bob", device("bob", "laptop"), new GroupInbox());
        ChatClient carol = connect("carol", "carol", carolKey, new GroupInbox());
        ChatClient dave = connect("dave", "dave", daveKey, new GroupInbox())) {
      awaitPrekeys(laptop, "bob", "carol");
      GroupView team = laptop.createGroup("team", List.of("bob", "carol"));
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);
      try (ChatClient phone = connect("alice", "alice+phone", phoneKey, phones)) {
        MultiDeviceIntegrationTest.awaitDevices(carol, "alice", 2);
        laptop.sendToGroup("#team", "the laptop finds the phone");
        assertThat(phones.changes.poll(15, TimeUnit.SECONDS))
            .as("the phone knows #team from the create its laptop forwarded")
            .isEqualTo("you created #team with bob, carol");
        assertThat(phones.next(1)).containsExactly("#team alice: the laptop finds the phone");

        GroupChange create =
            GroupRules.create(
                GroupId.fromHex(team.idHex()), "team", "alice", List.of("bob", "carol"));
        GroupChange addDave =
            GroupRules.propose(create.newState(), "alice", GroupOp.ADD, List.of("dave"));
        String phoneHex = deviceHex(phoneKey);

        forward(carol, phoneHex, signed(carolKey, "carol", addDave));
        assertThat(phones.refused.poll(15, TimeUnit.SECONDS))
            .as("carol is a member but no admin: her signed add is refused as it would be live")
            .startsWith(
                "carol: a forwarded change of #team from carol was refused: its author carol may"
                    + " not make it");
        forward(dave, phoneHex, signed(daveKey, "dave", addDave));
        assertThat(phones.refused.poll(15, TimeUnit.SECONDS))
            .as("dave, no member, cannot add himself by forwarding what he signed")
            .startsWith(
                "dave: a forwarded change of #team from dave was refused: its author dave may not"
                    + " make it");
        ForwardedChange genuine = signed(laptopKey, "alice", create);
        byte[] envelope = genuine.envelope();
        envelope[envelope.length / 2] ^= 0x01;
        forward(
            bob,
            phoneHex,
            new ForwardedChange(genuine.certificate(), envelope, genuine.contentKey()));
        assertThat(phones.refused.poll(15, TimeUnit.SECONDS))
            .as("a record its forwarder altered is refused before anything is applied")
            .startsWith("bob: a forwarded change from bob was refused: ")
            .endsWith("; no group was changed");

        assertThat(phone.groups().getFirst().members()).containsExactly("alice", "bob", "carol");
        phones.assertNothingMore();
      }
    }
  }

  static ForwardedChange signed(Credential device, String author, GroupChange change)
      throws Exception {
    return ForwardedChanges.signed(
        device, author, MessageContent.groupChange(change), Instant.now());
  }

  /** {@code from} seals {@code record} to alice's device {@code deviceHex} and sends it. */
  static void forward(ChatClient from, String deviceHex, ForwardedChange record) throws Exception {
    byte[] envelope = from.sealForwarded("alice", deviceHex, record).orElseThrow().encode();
    RelayConnection conn = from.connection();
    OutgoingMessages.deliver(conn, envelope, conn.nextRef(), null);
  }
}
