package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message sealed so long ago that receivers would refuse it is refused by the relay as expired
 * (docs/PROTOCOL.md section 9): the client tells its user and goes on with the rest of its outbox.
 */
class OutboxExpiryIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs"))).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static final class Failures implements ChatListener {
    final BlockingQueue<String> failed = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(OpenedMessage message) {}

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {}

    @Override
    public void onSendFailed(String peer, String reason) {
      failed.add(peer + ": " + reason);
    }
  }

  @Test
  void outboxMessageSealedBeforeTheWindow_isReportedAndRemoved_andLaterMessagesStillGo()
      throws Exception {
    Path data = dir.resolve("data-alice");
    try (ClientStore store = ClientStore.open(data)) {
      Outbox outbox =
          new Outbox(store, AtRestKey.openOrCreate(store, pki.user("alice")), Clock.systemUTC());
      long row = outbox.enqueue("bob", "written long ago");
      Clock longAgo =
          Clock.offset(Clock.systemUTC(), AcceptancePolicy.DEFAULT_WINDOW.plusHours(1).negated());
      SealedEnvelope old =
          new RsaOaepAesGcmSealer(pki.user("alice"), longAgo)
              .seal(
                  MessageContent.text("written long ago"),
                  List.of(new RecipientKey("bob", pki.user("bob").encryption().certificate())));
      outbox.attachEnvelope(row, old.header().messageIdHex(), EnvelopeCodec.encode(old));
    }
    Failures failures = new Failures();
    try (ChatClient alice =
        ChatClient.connect(
            ChatClientConfig.of(
                "localhost", server.port(), pki.user("alice"), pki.ca().certificate(), data),
            failures)) {
      String failed = failures.failed.poll(10, TimeUnit.SECONDS);
      assertThat(failed).isNotNull().startsWith("bob: ").contains("7 days");
      assertThat(alice.send("bob", "written now").statusOf("bob")).isEqualTo(DeliveryStatus.QUEUED);
      assertThat(failures.failed.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }
  }
}
