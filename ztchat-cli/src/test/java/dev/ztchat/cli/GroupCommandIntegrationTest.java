package dev.ztchat.cli;

import static dev.ztchat.cli.ClientCommandsIntegrationTest.ztchat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.cli.ClientCommandsIntegrationTest.Run;
import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.GroupView;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.store.QueueLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code ztchat group ...}, {@code send --to '#NAME'} and {@code recv} as a user runs them, against
 * a real relay over real TLS; the other members are clients in this process.
 */
// Replaces System.out and System.err, which every test in this JVM shares.
@Isolated
class GroupCommandIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;
  final List<Credential> devices = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "zed");
    certs = pki.writeTo(dir.resolve("certs"));
    for (String name : List.of("alice", "bob", "carol", "zed")) {
      Credential laptop =
          CertificateIssuer.issueDevice(
              pki.ca(),
              name,
              "laptop",
              Instant.now().minus(Duration.ofMinutes(5)),
              Duration.ofDays(30),
              null);
      certs.writeDevice(name, "laptop", laptop, false);
      devices.add(laptop);
    }
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  String[] args(String... words) {
    List<String> all = new ArrayList<>(List.of(words));
    all.addAll(
        List.of(
            "--identity",
            "alice",
            "--server",
            "localhost:" + server.port(),
            "--certs",
            certs.root().toString(),
            "--data",
            dir.resolve("home").resolve(".ztchat").resolve("ca").resolve("alice").toString()));
    return all.toArray(String[]::new);
  }

  /** A member's client in this process, keeping the group lines and changes it shows. */
  static final class Member implements ChatListener {
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(OpenedMessage message) {}

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
      lines.add("rejected " + explanation);
    }

    @Override
    public void onGroupMessage(GroupView group, String sender, OpenedMessage message) {
      lines.add(group.shown() + " " + sender + ": " + message.text());
    }

    @Override
    public void onGroupChange(GroupView group, String description) {
      lines.add(description);
    }
  }

  ChatClient member(String name, int index, Member inbox) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(name),
                pki.ca().certificate(),
                dir.resolve(name))
            .withDevice(devices.get(index)),
        inbox);
  }

  @Test
  void groupCreateSendRecvListRemoveAndLeave_workFromTheCommandLine() throws Exception {
    Member bobs = new Member();
    Member carols = new Member();
    try (ChatClient bob = member("bob", 1, bobs);
        ChatClient carol = member("carol", 2, carols)) {
      // Created once bob's and carol's devices have published their keys (refused before).
      AtomicReference<Run> created = new AtomicReference<>();
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30),
                  () -> {
                    created.set(ztchat(args("group", "create", "team", "--members", "bob,carol")));
                    return created.get().exit() == 0;
                  }))
          .as("group create: %s", created.get())
          .isTrue();
      assertThat(created.get().out()).startsWith("created #team with alice, bob, carol");
      assertThat(bobs.lines.poll(15, TimeUnit.SECONDS))
          .isEqualTo("alice created #team with bob, carol");

      Run sent = ztchat(args("send", "--to", "#team", "hello team"));
      assertThat(sent.exit()).as(sent.err()).isZero();
      assertThat(sent.out()).startsWith("sent to #team");
      assertThat(bobs.lines.poll(15, TimeUnit.SECONDS)).isEqualTo("#team alice: hello team");
      assertThat(carols.lines.poll(15, TimeUnit.SECONDS))
          .isEqualTo("alice created #team with bob, carol");
      assertThat(carols.lines.poll(15, TimeUnit.SECONDS)).isEqualTo("#team alice: hello team");

      bob.sendToGroup("#team", "hi\u001b]0;PWNED\u0007 all\nalice: forged");
      Run received = ztchat(args("recv", "--count", "1", "--timeout", "20s"));
      assertThat(received.exit()).as(received.err()).isZero();
      assertThat(received.out().lines().toList())
          .containsExactly("#team bob: hi\\e]0;PWNED\\x07 all\\nalice: forged");

      Run list = ztchat(args("group", "list"));
      assertThat(list.exit()).isZero();
      assertThat(list.out().lines().toList())
          .containsExactly("#team  members: alice*, bob, carol  (version 1)");

      Run removed = ztchat(args("group", "remove", "#team", "carol"));
      assertThat(removed.exit()).as(removed.err()).isZero();
      assertThat(removed.out()).startsWith("removed carol from #team; members: alice, bob");
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(20),
                  () -> {
                    try {
                      return carol.group("#team").removed();
                    } catch (Exception e) {
                      return false;
                    }
                  }))
          .isTrue();

      Run left = ztchat(args("group", "leave", "team"));
      assertThat(left.exit()).as(left.err()).isZero();
      assertThat(left.out()).startsWith("you left #team");
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(20),
                  () -> {
                    try {
                      return bob.group("#team").admins().equals(List.of("bob"));
                    } catch (Exception e) {
                      return false;
                    }
                  }))
          .as("bob, the only member left, is its admin now")
          .isTrue();

      Run refused = ztchat(args("group", "add", "team", "carol"));
      assertThat(refused.exit()).isEqualTo(4);
      assertThat(refused.err()).contains("refused").contains("no longer a member");
    }
  }

  @Test
  void aGroupTextKeptBehindAWaitingChange_exitsNotConfirmed_andSaysItIsKept() throws Exception {
    server.close();
    Path relay = dir.resolve("relay-with-small-mailboxes");
    // alice may fill half of a mailbox of 6: three envelopes
    server =
        RelayServer.start(
            RelayServerConfig.defaults(certs, relay)
                .withPort(0)
                .withQueue(QueueLimits.defaults(relay).withQuota(6, 1 << 20).withSenderShare(50)));
    Member bobs = new Member();
    Member carols = new Member();
    try (ChatClient bob = member("bob", 1, bobs);
        ChatClient carol = member("carol", 2, carols)) {
      try (ChatClient zed = member("zed", 3, new Member())) {
        assertThat(
                Polling.eventually(
                    Duration.ofSeconds(30),
                    () ->
                        ztchat(args("group", "create", "team", "--members", "bob,carol")).exit()
                            == 0))
            .as("group create, once bob's and carol's keys are published")
            .isTrue();
        assertThat(
                Polling.eventually(
                    Duration.ofSeconds(30),
                    () -> ztchat(args("send", "--to", "zed", "hello zed")).exit() == 0))
            .as("a first message to zed, once zed's keys are published")
            .isTrue();
      } // zed goes offline
      for (String text : List.of("one", "two", "three")) {
        Run queued = ztchat(args("send", "--to", "zed", text));
        assertThat(queued.exit()).as(queued.err()).isZero();
      } // alice's share of zed's mailbox is used up
      assertThat(bobs.lines.poll(15, TimeUnit.SECONDS))
          .isEqualTo("alice created #team with bob, carol");
      Run added = ztchat(args("group", "add", "team", "zed"));
      assertThat(bobs.lines.poll(15, TimeUnit.SECONDS))
          .as("the add reached bob (%s)", added)
          .isEqualTo("alice added zed to #team");

      Run sent = ztchat(args("send", "--to", "#team", "hello, zed"));

      assertThat(sent.exit()).as(sent.toString()).isEqualTo(6);
      assertThat(sent.err())
          .contains("your earlier change to #team has not reached every member yet")
          .contains("kept on this device behind that change");
      assertThat(sent.out()).doesNotContain("sent to");
      assertThat(bobs.lines.poll(1, TimeUnit.SECONDS)).as("nothing went to bob now").isNull();
    }
  }

  @Test
  void anInvalidGroupOrMemberName_isABadUsage_andNothingIsSent() {
    Run bad = ztchat(args("group", "create", "Team!", "--members", "bob"));
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("not a valid group name");

    Run badMember = ztchat(args("group", "create", "team", "--members", "bob,Carol"));
    assertThat(badMember.exit()).isEqualTo(2);
    assertThat(badMember.err()).contains("'Carol' is not a valid user name");

    Run badSend = ztchat(args("send", "--to", "#no way", "x"));
    assertThat(badSend.exit()).isEqualTo(2);
  }
}
