package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "The envelope fits" (docs/PROTOCOL.md section 6): the {@code send} frame that carries it, with
 * the ref it is sent with, is at most {@code maxFrame} bytes, and {@code send} accepts every text
 * whose frame fits. With RSA-2048 keys, names alice and bob and a 4096-byte limit, the envelope of
 * a text of T bytes is 625 + T bytes, so with a two-character ref the largest text is 2417 bytes.
 */
class SendFitIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    // the arithmetic below is for a 4096-byte maxFrame, not the default
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0).withMaxFrame(4096));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ChatClient connect(UserIdentity id) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
            "localhost",
            server.port(),
            id,
            pki.ca().certificate(),
            dir.resolve("data-" + id.name())),
        new ChatListener() {
          @Override
          public void onMessage(OpenedMessage message) {}

          @Override
          public void onRejected(
              String claimedSender, RejectionReason reason, String explanation) {}
        });
  }

  @Test
  void send_2411ByteTextWhoseFrameFits4096_isAccepted() throws Exception {
    try (ChatClient alice = connect(pki.user("alice"));
        ChatClient bob = connect(pki.user("bob"))) {
      assertThat(alice.send("bob", "x".repeat(2411)).statusOf("bob").accepted()).isTrue();
    }
  }

  @Test
  void send_textWhoseFrameCannotFitWithAnyRef_isRefusedWithTheExactMaximum() throws Exception {
    try (ChatClient alice = connect(pki.user("alice"));
        ChatClient bob = connect(pki.user("bob"))) {
      // 2418 bytes need a 4097-byte frame with a two-character ref
      MessageTooLongException e =
          Assertions.assertThrows(
              MessageTooLongException.class, () -> alice.send("bob", "x".repeat(2418)));
      assertThat(e.maxBytes())
          .isBetween(2411, 2417); // the ref's length (r2, r10, ...) moves it a little
      assertThat(alice.send("bob", "y".repeat(e.maxBytes())).statusOf("bob").accepted()).isTrue();
    }
  }

  @Test
  void checkFits_frameOfExactlyMaxFrame_passes_oneEnvelopeByteMore_isRefused() throws Exception {
    // {"type":"send","ref":"r7","envelope":"<4056 base64 characters>"} is 4096 bytes
    OutgoingMessages.checkFits(4096, "r7", "", new byte[3042]);

    assertThatThrownBy(
            () -> OutgoingMessages.checkFits(4096, "r7", "x".repeat(100), new byte[3043]))
        .isInstanceOfSatisfying(
            MessageTooLongException.class, e -> assertThat(e.maxBytes()).isEqualTo(99));
  }
}
