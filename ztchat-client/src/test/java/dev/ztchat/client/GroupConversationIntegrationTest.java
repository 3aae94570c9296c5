package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupChangeRefusedException;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupState;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group conversations through a real relay (docs/v2/groups.md): three people, two of them with two
 * devices; every device sees every group message once and in order, a device that was offline
 * included; a removed member's device cannot open what is sent after the removal even when the
 * relay hands it over; a non-member's message and a non-admin's change are refused.
 */
class GroupConversationIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  Credential aliceLaptop;
  Credential alicePhone;
  Credential bobLaptop;
  Credential bobPhone;
  CertsLayout certs;
  RelayServer server;

  Credential device(String name, String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "dave");
    aliceLaptop = device("alice", "laptop");
    alicePhone = device("alice", "phone");
    bobLaptop = device("bob", "laptop");
    bobPhone = device("bob", "phone");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** What one device shows of groups: {@code #team alice: text} lines, changes and refusals. */
  static class GroupInbox implements ChatListener {
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final BlockingQueue<String> changes = new LinkedBlockingQueue<>();
    final BlockingQueue<String> refused = new LinkedBlockingQueue<>();
    final List<RejectionReason> rejected = new CopyOnWriteArrayList<>();
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final List<String> notices = new CopyOnWriteArrayList<>();

    @Override
    public void onNotice(String notice) {
      notices.add(notice);
    }

    @Override
    public void onMessage(OpenedMessage message) {
      lines.add("direct " + message.sender() + ": " + message.text());
    }

    @Override
    public void onOwnMessage(String peer, OpenedMessage message) {
      lines.add("me -> " + peer + ": " + message.text());
    }

    @Override
    public void onGroupMessage(GroupView group, String sender, OpenedMessage message) {
      lines.add(group.shown() + " " + sender + ": " + message.text());
    }

    @Override
    public void onGroupChange(GroupView group, String description) {
      changes.add(description);
    }

    @Override
    public void onGroupRejected(String claimedSender, String explanation) {
      refused.add(claimedSender + ": " + explanation);
    }

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
      rejected.add(reason);
      notices.add("rejected from " + claimedSender + ": " + explanation);
    }

    @Override
    public void onDelivered(String peer, String messageIdHex) {
      delivered.add(peer + " " + messageIdHex);
    }

    /** The next {@code n} group lines, in the order shown. */
    List<String> next(int n) throws InterruptedException {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String line = lines.poll(15, TimeUnit.SECONDS);
        assertThat(line)
            .as(
                "line %d of %d arrives (got %s; refused %s; rejected %s; notices %s)",
                i + 1, n, out, refused, rejected, notices)
            .isNotNull();
        out.add(line);
      }
      return out;
    }

    void assertNothingMore() throws InterruptedException {
      assertThat(lines.poll(1, TimeUnit.SECONDS)).as("nothing more, nothing twice").isNull();
    }
  }

  ChatClient connect(String user, String folder, Credential device, ChatListener inbox)
      throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(folder))
            .withDevice(device)
            // A device first seen after the first contact is then sealed to at once (and told),
            // as --new-devices send does; by default it is held until accepted, as for direct
            // messages.
            .withSendToNewDevices(true),
        inbox);
  }

  static void awaitDevices(ChatClient asker, String user, int count) throws Exception {
    MultiDeviceIntegrationTest.awaitDevices(asker, user, count);
  }

  static void awaitGroup(ChatClient c, String ref, boolean removed) throws InterruptedException {
    assertThat(
            Polling.eventually(
                WAIT,
                () -> {
                  try {
                    return c.groups().stream()
                        .anyMatch(g -> g.shown().equals(ref) && g.removed() == removed);
                  } catch (java.io.IOException e) {
                    return false;
                  }
                }))
        .as("%s knows %s%s", c.me(), ref, removed ? " as removed" : "")
        .isTrue();
  }

  @Test
  void everyDeviceSeesEveryGroupMessageOnceInOrder_andARemovedMembersDeviceCannotOpenLaterOnes()
      throws Exception {
    GroupInbox aliceL = new GroupInbox();
    GroupInbox aliceP = new GroupInbox();
    GroupInbox bobL = new GroupInbox();
    GroupInbox carolsInbox = new GroupInbox();
    List<byte[]> reachingBob = new CopyOnWriteArrayList<>();
    try (ChatClient alice = connect("alice", "alice+laptop", aliceLaptop, aliceL);
        ChatClient alicesPhone = connect("alice", "alice+phone", alicePhone, aliceP);
        ChatClient bob = connect("bob", "bob+laptop", bobLaptop, bobL);
        ChatClient carol = connect("carol", "carol", pki.device("carol"), carolsInbox)) {
      try (ChatClient bobsPhone = connect("bob", "bob+phone", bobPhone, new GroupInbox())) {
        awaitDevices(alice, "bob", 2);
        awaitDevices(alice, "alice", 2);
        awaitDevices(alice, "carol", 1);
        awaitDevices(bob, "alice", 2);
        awaitDevices(carol, "bob", 2);
      } // bob's phone is offline from here on

      GroupView team = alice.createGroup("team", List.of("bob", "carol"));
      assertThat(team.shown()).isEqualTo("#team");
      assertThat(team.members()).containsExactly("alice", "bob", "carol");
      assertThat(team.admins()).containsExactly("alice");
      awaitGroup(bob, "#team", false);
      awaitGroup(carol, "#team", false);
      awaitGroup(alicesPhone, "#team", false); // my phone learns the group made on my laptop

      SendResult one = alice.sendToGroup("#team", "one");
      assertThat(bobL.next(1)).containsExactly("#team alice: one");
      assertThat(carolsInbox.next(1)).containsExactly("#team alice: one");
      assertThat(aliceP.next(1)).containsExactly("#team alice: one");
      bob.sendToGroup("team", "two");
      assertThat(aliceL.next(1)).containsExactly("#team bob: two");
      assertThat(aliceP.next(1)).containsExactly("#team bob: two");
      assertThat(carolsInbox.next(1)).containsExactly("#team bob: two");
      carol.sendToGroup("#team", "three");
      assertThat(aliceL.next(1)).containsExactly("#team carol: three");
      assertThat(aliceP.next(1)).containsExactly("#team carol: three");
      assertThat(bobL.next(1)).containsExactly("#team carol: three");

      // Receipts per member: who has received alice's "one".
      assertThat(
              Polling.eventually(
                  WAIT,
                  () -> {
                    try {
                      return alice
                          .groupReceipts(one.messageId())
                          .containsAll(List.of("bob", "carol"));
                    } catch (java.io.IOException e) {
                      return false;
                    }
                  }))
          .as("alice sees that bob and carol received 'one'")
          .isTrue();

      GroupInbox bobP = new GroupInbox();
      try (ChatClient bobsPhone = connect("bob", "bob+phone", bobPhone, bobP)) {
        assertThat(bobP.next(3))
            .as("the phone that was offline gets the backlog once, in order; bob's own as bob")
            .containsExactly("#team alice: one", "#team bob: two", "#team carol: three");
        bobP.assertNothingMore();
        assertThat(bobsPhone.groups()).extracting(GroupView::shown).containsExactly("#team");
        assertThat(bobsPhone.groupHistory("#team", 10))
            .extracting(HistoryEntry::peer, HistoryEntry::text)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("alice", "one"),
                org.assertj.core.groups.Tuple.tuple("bob", "two"),
                org.assertj.core.groups.Tuple.tuple("carol", "three"));
      }

      GroupView after = alice.removeFromGroup("#team", "carol");
      assertThat(after.members()).containsExactly("alice", "bob");
      awaitGroup(carol, "#team", true);
      assertThat(
              Polling.eventually(
                  WAIT, () -> bobL.changes.stream().anyMatch(c -> c.contains("removed carol"))))
          .isTrue();

      bob.onRawEnvelope(reachingBob::add);
      alice.sendToGroup("#team", "four: carol is gone");
      assertThat(bobL.next(1)).containsExactly("#team alice: four: carol is gone");
      assertThat(aliceP.next(1)).containsExactly("#team alice: four: carol is gone");
      assertThat(carolsInbox.lines.poll(1, TimeUnit.SECONDS))
          .as("the relay does not send it to carol")
          .isNull();

      // A hostile relay hands carol the envelope anyway: it holds no entry for her device.
      assertThat(reachingBob).isNotEmpty();
      int before = carolsInbox.rejected.size();
      for (byte[] envelope : reachingBob) {
        carol.deliverAsRelay(envelope);
      }
      assertThat(Polling.eventually(WAIT, () -> carolsInbox.rejected.size() > before)).isTrue();
      carolsInbox.assertNothingMore();
      assertThat(carol.groupHistory("#team", 10))
          .extracting(HistoryEntry::text)
          .doesNotContain("four: carol is gone");
      assertThatThrownBy(() -> carol.sendToGroup("#team", "still here?"))
          .hasMessageContaining("not a member");
      aliceL.assertNothingMore();
      bobL.assertNothingMore();
    }
  }

  /**
   * The whole scenario of several devices and a group: alice and bob with a laptop and a phone
   * each, carol with one device; a group of the three and direct chats while devices are offline at
   * different times; then bob's phone is revoked ({@code pki revoke bob --device phone}) and carol
   * removed from the group. Every remaining device sees what it should, exactly once and in order;
   * nothing sent afterwards opens on the revoked phone or, of the group, for carol.
   */
  @Test
  void devicesOfflineAtDifferentTimes_thenADeviceRevokedAndAMemberRemoved_eachSeesExactlyItsShare()
      throws Exception {
    GroupInbox aliceL = new GroupInbox();
    GroupInbox aliceP = new GroupInbox();
    GroupInbox bobL = new GroupInbox();
    GroupInbox bobP = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    certs.writeDevice("bob", "phone", bobPhone, false); // so that pki revoke can name it
    List<byte[]> reachingBob = new CopyOnWriteArrayList<>();
    try (ChatClient alice = connect("alice", "alice+laptop", aliceLaptop, aliceL);
        ChatClient bob = connect("bob", "bob+laptop", bobLaptop, bobL);
        ChatClient carol = connect("carol", "carol", pki.device("carol"), carols)) {
      try (ChatClient alicesPhone = connect("alice", "alice+phone", alicePhone, aliceP);
          ChatClient bobsPhone = connect("bob", "bob+phone", bobPhone, bobP)) {
        awaitDevices(alice, "bob", 2);
        awaitDevices(alice, "alice", 2);
        awaitDevices(bob, "alice", 2);
        awaitDevices(bob, "bob", 2);
        awaitDevices(carol, "bob", 2);
        awaitDevices(carol, "alice", 2);
        alice.createGroup("team", List.of("bob", "carol"));
        for (ChatClient c : List.of(bob, carol, alicesPhone, bobsPhone)) {
          awaitGroup(c, "#team", false);
        }
        alice.send("bob", "d1");
        assertThat(bobL.next(1)).containsExactly("direct alice: d1");
        assertThat(bobP.next(1)).containsExactly("direct alice: d1");
        assertThat(aliceP.next(1)).containsExactly("me -> bob: d1");

        bobsPhone.close(); // bob's phone is offline
        alice.sendToGroup("#team", "g1");
        carol.send("bob", "d2");
        bob.sendToGroup("#team", "g2");
        assertThat(bobL.next(2)).containsExactly("#team alice: g1", "direct carol: d2");
        assertThat(aliceL.next(1)).containsExactly("#team bob: g2");
        assertThat(aliceP.next(2)).containsExactly("#team alice: g1", "#team bob: g2");
        assertThat(carols.next(2)).containsExactly("#team alice: g1", "#team bob: g2");
      } // alice's phone is offline from here

      try (ChatClient bobsPhone = connect("bob", "bob+phone", bobPhone, bobP)) {
        assertThat(bobP.next(3))
            .as("bob's phone gets what it missed once, in order")
            .containsExactly("#team alice: g1", "direct carol: d2", "#team bob: g2");
        carol.sendToGroup("#team", "g3");
        bob.send("alice", "d3");
        assertThat(bobL.next(1)).containsExactly("#team carol: g3");
        assertThat(bobP.next(2)).containsExactly("#team carol: g3", "me -> alice: d3");
        assertThat(aliceL.next(2)).containsExactly("#team carol: g3", "direct bob: d3");
      }
      assertThat(aliceP.lines).as("nothing while alice's phone was off").isEmpty();

      // pki revoke bob --device phone, and carol leaves the group by alice's removal.
      X509CRL crl =
          new PkiRevocation(certs, java.time.Clock.systemUTC(), line -> {})
              .revoke("bob", "phone", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));
      server.reloadRevocations();
      assertThat(Polling.eventually(WAIT, () -> crl.equals(server.currentRevocationList())))
          .isTrue();
      // Each client takes the new list now, as it does at the latest 5 s later or when the relay
      // names the phone as extra (docs/v2/devices.md section 6.2): a receipt goes without the
      // relay's device check, and this test asserts that nothing names the phone once revoked.
      for (ChatClient c : List.of(alice, bob, carol)) {
        assertThat(c.refreshRevocations()).isPositive();
      }
      alice.removeFromGroup("#team", "carol");
      awaitGroup(carol, "#team", true);
      awaitGroup(bob, "#team", false);
      assertThat(
              Polling.eventually(
                  WAIT, () -> bobL.changes.stream().anyMatch(c -> c.contains("removed carol"))))
          .isTrue();
      bob.onRawEnvelope(reachingBob::add);
      alice.sendToGroup("#team", "g4");
      alice.send("bob", "d4");
      carol.send("bob", "d5");
      bob.sendToGroup("#team", "g5");
      assertThat(bobL.next(3))
          .containsExactly("#team alice: g4", "direct alice: d4", "direct carol: d5");
      assertThat(aliceL.next(1)).containsExactly("#team bob: g5");
      carols.assertNothingMore();
      String revokedPhone = MultiDeviceIntegrationTest.hexId(bobPhone);
      assertThat(alice.devicesOf("bob"))
          .as("alice's device no longer lists bob's revoked phone as one of his")
          .extracting(ContactDevice::id)
          .containsExactly(MultiDeviceIntegrationTest.hexId(bobLaptop));
      assertThat(bob.devicesOf("bob"))
          .as("bob's laptop no longer copies to his revoked phone")
          .extracting(ContactDevice::id)
          .doesNotContain(revokedPhone);
      assertThat(carol.devicesOf("bob")).extracting(ContactDevice::id).doesNotContain(revokedPhone);

      // carol left the group, not her contacts: direct chats with her go on, once each.
      bob.send("carol", "d6");
      assertThat(carols.next(1)).containsExactly("direct bob: d6");
      carol.send("bob", "d7");
      assertThat(bobL.next(1)).containsExactly("direct carol: d7");

      try (ChatClient alicesPhone = connect("alice", "alice+phone", alicePhone, aliceP)) {
        assertThat(aliceP.next(5))
            .as("alice's phone gets what it missed once, in order")
            .containsExactly(
                "#team carol: g3",
                "direct bob: d3",
                "#team alice: g4",
                "me -> bob: d4",
                "#team bob: g5");
        aliceP.assertNothingMore();
      }

      // A hostile relay hands bob's revoked phone and carol everything bob's laptop got since.
      assertThat(reachingBob).hasSizeGreaterThanOrEqualTo(3);
      // None of them holds an entry for the revoked phone or for carol's device: there is no
      // key in them for either, whatever the relay does with them.
      String carolsDevice = MultiDeviceIntegrationTest.hexId(pki.device("carol"));
      for (byte[] envelope : reachingBob) {
        assertThat(entries(envelope))
            .as("the devices an envelope bob's laptop got after the revocation is sealed to")
            .isNotEmpty()
            .doesNotContain(revokedPhone, carolsDevice);
      }
      int carolRefused = carols.rejected.size();
      try (ChatClient phone = offline("bob", "bob+phone", bobPhone, bobP)) {
        for (byte[] envelope : reachingBob) {
          phone.deliverAsRelay(envelope);
          carol.deliverAsRelay(envelope);
        }
        bobP.assertNothingMore();
        assertThat(phone.history("alice", 10)).extracting(HistoryEntry::text).doesNotContain("d4");
        assertThat(phone.groupHistory("#team", 10))
            .extracting(HistoryEntry::text)
            .doesNotContain("g4", "g5");
      }
      assertThat(
              Polling.eventually(
                  WAIT, () -> carols.rejected.size() >= carolRefused + reachingBob.size()))
          .as("carol's client refused each envelope sealed to bob: %s", carols.rejected)
          .isTrue();
      assertThat(carols.rejected.subList(carolRefused, carols.rejected.size()))
          .containsOnly(RejectionReason.NOT_FOR_ME);
      carols.assertNothingMore();
      assertThat(carol.groupHistory("#team", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("g1", "g2", "g3");
      for (GroupInbox each : List.of(aliceL, bobL)) {
        each.assertNothingMore();
      }
    }
  }

  /**
   * A member added later gets no entry in what was sent before the add (docs/v2/groups.md section
   * 9): the envelope a hostile relay hands over once the member knows the group still opens
   * nothing, and what is sent after the add reaches it once.
   */
  @Test
  void aMemberAddedLater_opensNothingSentBeforeTheAdd_evenWhenTheRelayHandsItOver()
      throws Exception {
    GroupInbox bobs = new GroupInbox();
    GroupInbox daves = new GroupInbox();
    List<byte[]> reachingBob = new CopyOnWriteArrayList<>();
    try (ChatClient alice = connect("alice", "alice", pki.device("alice"), new GroupInbox());
        ChatClient bob = connect("bob", "bob", pki.device("bob"), bobs);
        ChatClient dave = connect("dave", "dave", pki.device("dave"), daves)) {
      awaitDevices(alice, "bob", 1);
      awaitDevices(alice, "dave", 1);
      alice.createGroup("team", List.of("bob"));
      awaitGroup(bob, "#team", false);
      bob.onRawEnvelope(reachingBob::add);
      alice.sendToGroup("#team", "before dave");
      assertThat(bobs.next(1)).containsExactly("#team alice: before dave");
      List<byte[]> beforeTheAdd = List.copyOf(reachingBob);
      assertThat(beforeTheAdd).isNotEmpty();
      String davesDevice = MultiDeviceIntegrationTest.hexId(pki.device("dave"));
      for (byte[] envelope : beforeTheAdd) {
        assertThat(entries(envelope)).isNotEmpty().doesNotContain(davesDevice);
      }

      alice.addToGroup("#team", "dave");
      awaitGroup(dave, "#team", false);
      int refused = daves.rejected.size();
      for (byte[] envelope : beforeTheAdd) {
        dave.deliverAsRelay(envelope);
      }
      assertThat(
              Polling.eventually(
                  WAIT, () -> daves.rejected.size() >= refused + beforeTheAdd.size()))
          .as("dave's client refused each envelope sent before he was added")
          .isTrue();
      assertThat(daves.rejected.subList(refused, daves.rejected.size()))
          .containsOnly(RejectionReason.NOT_FOR_ME);

      alice.sendToGroup("#team", "after dave");
      assertThat(daves.next(1)).containsExactly("#team alice: after dave");
      assertThat(bobs.next(1)).containsExactly("#team alice: after dave");
      daves.assertNothingMore();
      assertThat(dave.groupHistory("#team", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("after dave");
    }
  }

  /** The device ids (hex) a version-2 envelope holds an entry for. */
  static List<String> entries(byte[] envelope) throws Exception {
    V2Envelope e = V2Envelope.decode(envelope);
    return V2Body.decode(e.body(), e.prefix()).entries().stream()
        .map(x -> java.util.HexFormat.of().formatHex(x.recipientDevice()))
        .toList();
  }

  /** A client of {@code user}'s device that the relay refuses (revoked): it only tries. */
  ChatClient offline(String user, String folder, Credential device, ChatListener inbox)
      throws Exception {
    return ChatClient.start(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(folder))
            .withDevice(device),
        inbox);
  }

  @Test
  void aGroupTextFromANonMember_andAChangeByANonAdmin_areRefused_andChangeNothing()
      throws Exception {
    GroupInbox alicesInbox = new GroupInbox();
    GroupInbox bobsInbox = new GroupInbox();
    GroupInbox carolsInbox = new GroupInbox();
    GroupInbox davesInbox = new GroupInbox();
    try (ChatClient alice = connect("alice", "alice", pki.device("alice"), alicesInbox);
        ChatClient bob = connect("bob", "bob", pki.device("bob"), bobsInbox);
        ChatClient carol = connect("carol", "carol", pki.device("carol"), carolsInbox);
        ChatClient dave = connect("dave", "dave", pki.device("dave"), davesInbox)) {
      awaitDevices(alice, "bob", 1);
      awaitDevices(alice, "carol", 1);
      awaitDevices(bob, "alice", 1);
      awaitDevices(dave, "alice", 1);

      GroupView team = alice.createGroup("team", List.of("bob", "carol"));
      awaitGroup(bob, "#team", false);
      awaitGroup(carol, "#team", false);

      // bob's own client refuses him a removal: only admins remove.
      assertThatThrownBy(() -> bob.removeFromGroup("#team", "carol"))
          .isInstanceOf(GroupChangeRefusedException.class);

      // A client that skips the rule: bob's signed removal of carol reaches alice and carol.
      GroupState now = stateOf(alice, team);
      GroupState forged =
          new GroupState(
              now.id(),
              now.name(),
              now.version() + 1,
              now.hash(),
              List.of("alice", "bob"),
              now.admins());
      bob.outgoing.sendToMembers(
          "#team",
          List.of("alice", "carol"),
          MessageContent.groupChange(new GroupChange(GroupOp.REMOVE, List.of("carol"), forged)));
      assertThat(alicesInbox.refused.poll(15, TimeUnit.SECONDS))
          .startsWith("bob: a change to group #team from bob was refused");
      assertThat(carolsInbox.refused.poll(15, TimeUnit.SECONDS)).startsWith("bob: ");
      assertThat(alice.group("#team").members()).containsExactly("alice", "bob", "carol");
      assertThat(carol.group("#team").removed()).isFalse();

      // dave is no member: his text to the group's id is refused, never shown.
      dave.outgoing.sendToMembers(
          "#team",
          List.of("alice"),
          MessageContent.groupText(GroupId.fromHex(team.idHex()), 1, "let me in"));
      assertThat(alicesInbox.refused.poll(15, TimeUnit.SECONDS))
          .startsWith("dave: a message to #team from dave was dropped: dave is not a member");
      alicesInbox.assertNothingMore();

      // A member sealing with another state version: shown, and the drift told once.
      for (String text : List.of("from my old list", "still from it")) {
        bob.outgoing.sendToMembers(
            "#team",
            List.of("alice", "carol"),
            MessageContent.groupText(GroupId.fromHex(team.idHex()), 7, text));
        assertThat(alicesInbox.next(1)).containsExactly("#team bob: " + text);
      }
      assertThat(alicesInbox.notices.stream().filter(n -> n.contains("member list of #team")))
          .singleElement()
          .asString()
          .contains("bob's member list of #team differs from yours (their version 7, yours 1)");

      // Messages still flow between the members afterwards.
      carol.sendToGroup("#team", "all fine");
      assertThat(alicesInbox.next(1)).containsExactly("#team carol: all fine");
      assertThat(bobsInbox.next(1)).containsExactly("#team carol: all fine");
    }
  }

  private static GroupState stateOf(ChatClient c, GroupView v) throws Exception {
    return c.groupState(v.idHex());
  }
}
