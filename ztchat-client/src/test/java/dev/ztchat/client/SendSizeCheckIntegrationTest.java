package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.EnvelopeSealer;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A text too long for one frame is refused before any private-key operation: nothing is sealed. */
class SendSizeCheckIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** The real sealer, counting its calls. */
  static final class CountingSealer implements EnvelopeSealer {
    final EnvelopeSealer real;
    final AtomicInteger seals = new AtomicInteger();

    CountingSealer(EnvelopeSealer real) {
      this.real = real;
    }

    @Override
    public SealedEnvelope seal(MessageContent content, List<RecipientKey> recipients) {
      seals.incrementAndGet();
      return real.seal(content, recipients);
    }
  }

  ChatClient connect(String name) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
            "localhost",
            server.port(),
            pki.user(name),
            pki.ca().certificate(),
            dir.resolve("data-" + name)),
        new ChatClientIntegrationTest.Inbox());
  }

  @Test
  void oversizedText_isRefusedWithTheMaximum_withoutBeingSealed() throws Exception {
    try (ChatClient alice = connect("alice");
        ChatClient bob = connect("bob")) {
      CountingSealer counting =
          new CountingSealer(new RsaOaepAesGcmSealer(pki.user("alice"), Clock.systemUTC()));
      alice.outgoing.sealWith(counting);

      assertThatThrownBy(() -> alice.send("bob", "x".repeat(20_000)))
          .isInstanceOf(MessageTooLongException.class)
          .hasMessageContaining("20000 bytes")
          .hasMessageContaining("maximum is");
      assertThat(counting.seals.get()).as("seals for the oversized text").isZero();

      // the same sealer does seal a text that fits: the count above is not vacuous
      assertThat(alice.send("bob", "fits").statusOf("bob").accepted()).isTrue();
      assertThat(counting.seals.get()).isEqualTo(1);
    }
  }

  @Test
  void theMaximumTheEarlyCheckNames_isExactlyWhatTheSealedEnvelopeAllows() throws Exception {
    try (ChatClient alice = connect("alice");
        ChatClient bob = connect("bob")) {
      MessageTooLongException e =
          Assertions.assertThrows(
              MessageTooLongException.class, () -> alice.send("bob", "é".repeat(10_000)));

      assertThat(alice.send("bob", "y".repeat(e.maxBytes())).statusOf("bob").accepted()).isTrue();
      assertThatThrownBy(() -> alice.send("bob", "y".repeat(e.maxBytes() + 1)))
          .isInstanceOf(MessageTooLongException.class);
    }
  }
}
