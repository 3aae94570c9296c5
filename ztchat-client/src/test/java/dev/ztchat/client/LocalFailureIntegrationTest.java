package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message that cannot be processed because of a local failure (here: the client's database fails,
 * as on a broken disk) is reported as kept and retried, never as dropped or malformed, and it is
 * shown once when processing works again.
 */
class LocalFailureIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
                .withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(UserIdentity id) {
    return ChatClientConfig.of(
        "localhost", server.port(), id, pki.ca().certificate(), dir.resolve("data-" + id.name()));
  }

  /** Also records what the user is told about messages that could not be processed. */
  static final class NoticeInbox extends Inbox {
    final BlockingQueue<String> notProcessed = new LinkedBlockingQueue<>();
    final BlockingQueue<String> explanations = new LinkedBlockingQueue<>();

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
      super.onRejected(claimedSender, reason, explanation);
      explanations.add(explanation);
    }

    @Override
    public void onNotProcessed(String claimedSender, String explanation) {
      notProcessed.add(claimedSender + ": " + explanation);
    }
  }

  @Test
  void databaseFailureWhileReceiving_isReportedAsKept_andTheMessageIsShownLater() throws Exception {
    try (ChatClient alice = ChatClient.connect(config(pki.user("alice")), new Inbox())) {
      NoticeInbox first = new NoticeInbox();
      try (ChatClient bob = ChatClient.connect(config(pki.user("bob")), first)) {
        alice.send("bob", "warm-up");
        assertThat(first.next().text()).isEqualTo("warm-up");

        bob.localStore().db().close(); // the disk under bob's database fails
        alice.send("bob", "sent while bob's disk failed");

        String told = first.notProcessed.poll(20, TimeUnit.SECONDS);
        assertThat(told)
            .as("bob is told")
            .isNotNull()
            .startsWith("alice: ")
            .contains("could not be processed locally")
            .contains("kept on the server and will be retried");
        assertThat(first.warnings).as("not reported as dropped or malformed").isEmpty();
        assertThat(first.messages).isEmpty();
      }
    }

    NoticeInbox second = new NoticeInbox();
    try (ChatClient bob = ChatClient.connect(config(pki.user("bob")), second)) {
      assertThat(second.next().text()).isEqualTo("sent while bob's disk failed");
      assertThat(second.messages.poll(1, TimeUnit.SECONDS)).as("shown once").isNull();
      assertThat(second.warnings).as("the redelivery is not a replay").isEmpty();
      assertThat(second.reasons).doesNotContain(RejectionReason.REPLAY);
    }
  }

  @Test
  void rejectedMessage_isReportedWithWhatHappenedAndWhatToDo() throws Exception {
    UserIdentity alice = pki.user("alice");
    // dated an hour ahead: the relay stores it (an envelope already past the window it refuses
    // itself, docs/PROTOCOL.md section 9), bob's client rejects it
    var anHourAhead =
        new RsaOaepAesGcmSealer(alice, Clock.offset(Clock.systemUTC(), Duration.ofHours(1)))
            .seal(
                MessageContent.text("from the future"),
                List.of(new RecipientKey("bob", pki.user("bob").encryption().certificate())));
    try (RelayConnection raw =
        RelayConnection.connect(
            "localhost", server.port(), alice.signing(), pki.ca().certificate())) {
      raw.request(
          new Frame.Send("s", EnvelopeCodec.encode(anHourAhead)), "s", Duration.ofSeconds(10));
    }
    NoticeInbox inbox = new NoticeInbox();
    try (ChatClient bob = ChatClient.connect(config(pki.user("bob")), inbox)) {
      assertThat(inbox.reasons.poll(20, TimeUnit.SECONDS))
          .isEqualTo(RejectionReason.FROM_THE_FUTURE);
      assertThat(inbox.explanations.poll(1, TimeUnit.SECONDS))
          .startsWith(RejectionReason.FROM_THE_FUTURE.userMessage())
          .contains("dated");
    }
  }
}
