package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group whose devices do not fit one envelope (docs/v2/groups.md section 7.1): the relay runs
 * with a small frame limit, so both the group's creation (new sessions: large entries) and its
 * texts go out in several envelopes. Every member's device shows each message once, my other device
 * keeps one copy, nobody is told of a member-list drift that is not there, and receipts from
 * members in different envelopes count for the one message.
 */
class LargeGroupIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int MEMBERS = 20; // besides alice and bob
  private static final int MAX_FRAME = 6144; // about 18 established devices per envelope

  private static TestPki pki;
  private static Credential aliceLaptop;
  private static Credential alicePhone;
  private static Credential bobLaptop;
  private static Credential bobPhone;
  private static List<String> others;

  @TempDir Path dir;
  RelayServer server;

  @BeforeAll
  static void certificates() {
    others = IntStream.rangeClosed(1, MEMBERS).mapToObj(i -> String.format("m%02d", i)).toList();
    List<String> users = new ArrayList<>(List.of("alice", "bob"));
    users.addAll(others);
    pki = TestPki.create(users.toArray(String[]::new));
    aliceLaptop = device("alice", "laptop");
    alicePhone = device("alice", "phone");
    bobLaptop = device("bob", "laptop");
    bobPhone = device("bob", "phone");
  }

  private static Credential device(String name, String device) {
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
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    server =
        RelayServer.start(
            RelayServerConfig.defaults(certs, dir.resolve("relay"))
                .withPort(0)
                .withMaxFrame(MAX_FRAME)
                // the test's own device checks fetch many bundles in a burst
                .withRateLimit(1000, 2000));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static V2Envelope decode(byte[] envelope) {
    try {
      return V2Envelope.decode(envelope);
    } catch (MalformedEnvelopeException e) {
      throw new AssertionError(e);
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
            .withSendToNewDevices(true),
        inbox);
  }

  @Test
  void aGroupMessageTooLargeForOneEnvelope_reachesEveryDeviceOnce_withOneIdAndReceiptsFromAll()
      throws Exception {
    Map<String, GroupInbox> inboxes = new LinkedHashMap<>();
    List<ChatClient> clients = new ArrayList<>();
    try {
      GroupInbox aliceL = new GroupInbox();
      ChatClient alice = connect("alice", "alice+laptop", aliceLaptop, aliceL);
      clients.add(alice);
      GroupInbox aliceP = new GroupInbox();
      clients.add(connect("alice", "alice+phone", alicePhone, aliceP));
      inboxes.put("alice+phone", aliceP);
      GroupInbox bobL = new GroupInbox();
      ChatClient bob = connect("bob", "bob+laptop", bobLaptop, bobL);
      clients.add(bob);
      inboxes.put("bob+laptop", bobL);
      GroupInbox bobP = new GroupInbox();
      clients.add(connect("bob", "bob+phone", bobPhone, bobP));
      inboxes.put("bob+phone", bobP);
      for (String m : others) {
        GroupInbox inbox = new GroupInbox();
        clients.add(connect(m, m, pki.device(m), inbox));
        inboxes.put(m, inbox);
      }
      MultiDeviceIntegrationTest.awaitDevices(alice, "alice", 2);
      MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 2);
      for (String m : others) {
        MultiDeviceIntegrationTest.awaitDevices(alice, m, 1);
      }
      List<String> members = new ArrayList<>(List.of("bob"));
      members.addAll(others);

      GroupView big = alice.createGroup("big", members);
      assertThat(big.members()).hasSize(MEMBERS + 2);
      for (ChatClient c : clients.subList(1, clients.size())) {
        GroupConversationIntegrationTest.awaitGroup(c, "#big", false);
      }

      List<byte[]> reachingBob = new java.util.concurrent.CopyOnWriteArrayList<>();
      bob.onRawEnvelope(reachingBob::add);
      SendResult hello = alice.sendToGroup("#big", "hello, everyone");
      assertThat(hello.results())
          .as("the relay took it for every member, across the envelopes")
          .extracting(Frame.Delivery::user)
          .containsAll(members)
          .contains("alice");
      assertThat(hello.results())
          .extracting(Frame.Delivery::status)
          .allMatch(DeliveryStatus::accepted);
      for (Map.Entry<String, GroupInbox> e : inboxes.entrySet()) {
        assertThat(e.getValue().next(1))
            .as("%s shows it", e.getKey())
            .containsExactly("#big alice: hello, everyone");
      }
      assertThat(
              Polling.eventually(
                  WAIT,
                  () ->
                      reachingBob.stream()
                          .map(LargeGroupIntegrationTest::decode)
                          .anyMatch(v -> v.prefix().messageIdHex().equals(hello.messageId()))))
          .isTrue();
      V2Envelope bobsPart =
          reachingBob.stream()
              .map(LargeGroupIntegrationTest::decode)
              .filter(v -> v.prefix().messageIdHex().equals(hello.messageId()))
              .findFirst()
              .orElseThrow();
      assertThat(bobsPart.prefix().recipients())
          .as("the envelope bob got names only some of the members: the message was split")
          .contains("bob")
          .hasSizeLessThan(members.size());
      bob.sendToGroup("big", "and hello back");
      for (Map.Entry<String, GroupInbox> e : inboxes.entrySet()) {
        if (!e.getKey().equals("bob+laptop")) {
          assertThat(e.getValue().next(1))
              .as("%s shows bob's", e.getKey())
              .containsExactly("#big bob: and hello back");
        }
      }
      assertThat(aliceL.next(1)).containsExactly("#big bob: and hello back");
      for (Map.Entry<String, GroupInbox> e : inboxes.entrySet()) {
        e.getValue().assertNothingMore();
        assertThat(e.getValue().notices)
            .as("%s is told of no member-list drift", e.getKey())
            .noneMatch(n -> n.contains("differs from yours"));
        assertThat(e.getValue().refused).as("%s refused nothing", e.getKey()).isEmpty();
      }
      assertThat(
              Polling.eventually(
                  WAIT,
                  () -> {
                    try {
                      return alice.groupReceipts(hello.messageId()).containsAll(members);
                    } catch (IOException ex) {
                      return false;
                    }
                  }))
          .as("every member's receipt counts for the one message, whichever envelope it came in")
          .isTrue();
      assertThat(clients.get(1).groupHistory("#big", 10))
          .as("my other device keeps my message once")
          .extracting(HistoryEntry::text)
          .containsExactly("hello, everyone", "and hello back");
    } finally {
      for (ChatClient c : clients) {
        c.close();
      }
    }
  }
}
