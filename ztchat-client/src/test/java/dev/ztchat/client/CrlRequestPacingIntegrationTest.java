package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revocation-list request is paced as the other requests are ({@link RateLimitPacing}): when
 * the relay answers it {@code rate_limited}, the client asks again once the budget refilled instead
 * of failing the check (and the send) that needed the list. The relay's limit is lowered so that
 * the test empties the budget with a few requests.
 */
class CrlRequestPacingIntegrationTest {
  private static final int PER_SECOND = 1;
  private static final int BURST = 3;

  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
                .withPort(0)
                .withRateLimit(PER_SECOND, BURST));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Asks the relay who is online until it answers {@code rate_limited}: the budget is empty. */
  private static void emptyTheBudget(ChatClient client) throws Exception {
    for (int i = 0; i < 4 * BURST; i++) {
      try {
        client.whoIsOnline();
      } catch (RelayConnection.RelayException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        return;
      }
    }
    throw new AssertionError("the relay never answered rate_limited");
  }

  @Test
  void aRevocationListRequestAnsweredRateLimited_isAskedAgain_andTheListIsHad() throws Exception {
    try (ChatClient alice =
        ChatClient.connect(
            ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user("alice"),
                pki.ca().certificate(),
                dir.resolve("alice")),
            new ChatListener() {
              @Override
              public void onMessage(OpenedMessage message) {}

              @Override
              public void onRejected(
                  String claimedSender, RejectionReason reason, String explanation) {}
            })) {
      emptyTheBudget(alice);

      // Without pacing this throws "the revocation list could not be fetched (slow down ...)".
      assertThat(alice.refreshRevocations()).as("certificates the list revokes").isZero();
    }
  }
}
