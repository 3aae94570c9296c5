package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.store.OfflineQueue;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backlog far larger than the relay's frame burst, from several senders, against the relay's
 * default rate limit (docs/PROTOCOL.md sections 4.3 and 9): every message is shown exactly once,
 * none is reported as from an unknown sender, and the relay deletes only what was shown.
 */
class BacklogIntegrationTest {
  static final int PER_SENDER = 70;

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("bob", "carol", "dave");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    config = RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0);
    assertThat(2 * PER_SENDER)
        .as("the backlog is far larger than the burst")
        .isGreaterThan(3 * ProtocolLimits.DEFAULT_FRAME_BURST);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /**
   * carol and dave each seal PER_SENDER messages to bob, stored while bob is offline; their texts.
   */
  Set<String> backlogForBob() throws Exception {
    RecipientKey toBob = new RecipientKey("bob", pki.user("bob").encryption().certificate());
    RsaOaepAesGcmSealer carol = new RsaOaepAesGcmSealer(pki.user("carol"), Clock.systemUTC());
    RsaOaepAesGcmSealer dave = new RsaOaepAesGcmSealer(pki.user("dave"), Clock.systemUTC());
    Set<String> texts = new HashSet<>();
    List<SealedEnvelope> envelopes = new ArrayList<>();
    for (int i = 0; i < PER_SENDER; i++) {
      envelopes.add(carol.seal(MessageContent.text("carol " + i), List.of(toBob)));
      envelopes.add(dave.seal(MessageContent.text("dave " + i), List.of(toBob)));
      texts.add("carol " + i);
      texts.add("dave " + i);
    }
    try (OfflineQueue q = OfflineQueue.open(config.queue(), Clock.systemUTC())) {
      q.transaction(
          () -> {
            for (SealedEnvelope e : envelopes) {
              q.enqueue(
                  List.of("bob"),
                  e.header().sender(),
                  e.header().messageIdHex(),
                  EnvelopeCodec.encode(e));
            }
          });
      assertThat(q.pending("bob")).isEqualTo(2 * PER_SENDER);
    }
    return texts;
  }

  /** Envelopes the relay still stores for bob, read beside the running relay. */
  int pendingForBob(Connection db) throws Exception {
    try (PreparedStatement q =
            db.prepareStatement("SELECT COUNT(*) FROM queue WHERE recipient = 'bob'");
        ResultSet rs = q.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  ChatClientConfig bob() {
    return ChatClientConfig.of(
        "localhost",
        server.port(),
        pki.user("bob"),
        pki.ca().certificate(),
        dir.resolve("data-bob"));
  }

  @Test
  void backlogFromSeveralSenders_isShownExactlyOnce_andNothingIsAcknowledgedUnseen()
      throws Exception {
    receiveWholeBacklog();
  }

  @Test
  void backlogUnderABudgetOfTwoFramesPerSecond_isStillShownExactlyOnce() throws Exception {
    // lookups, CRL fetches and receipts run into rate_limited here: they are retried or dropped,
    // messages never
    config = config.withRateLimit(2, 4);
    receiveWholeBacklog();
  }

  void receiveWholeBacklog() throws Exception {
    Set<String> expected = backlogForBob();
    int total = expected.size();
    server = RelayServer.start(config);

    Inbox inbox = new Inbox();
    List<String> shown = new ArrayList<>();
    try (ChatClient bob = ChatClient.connect(bob(), inbox);
        Connection db =
            DriverManager.getConnection(
                "jdbc:sqlite:" + config.queue().dataDir().resolve("relay.db"))) {
      while (shown.size() < total) {
        OpenedMessage m = inbox.messages.poll(60, TimeUnit.SECONDS);
        assertThat(m)
            .as(
                "message %d of %d arrives (warnings so far: %s)",
                shown.size() + 1, total, inbox.warnings)
            .isNotNull();
        shown.add(m.text());
        int pending = pendingForBob(db);
        int shownAfterReading = shown.size() + inbox.messages.size();
        assertThat(pending)
            .as("the relay deleted only messages bob was shown")
            .isGreaterThanOrEqualTo(total - shownAfterReading);
      }
      assertThat(inbox.warnings)
          .as("nothing reported as dropped, in particular not as from an unknown sender")
          .isEmpty();
      assertThat(shown).doesNotHaveDuplicates();
      assertThat(new HashSet<>(shown)).isEqualTo(expected);
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30),
                  () -> {
                    try {
                      return pendingForBob(db) == 0;
                    } catch (Exception e) {
                      return false;
                    }
                  }))
          .as("everything shown was acknowledged and deleted")
          .isTrue();
      assertThat(inbox.messages.poll(1, TimeUnit.SECONDS)).as("nothing shown twice").isNull();
    }
  }
}
