package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
  static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");
  static UserIdentity alice;

  @TempDir Path dir;
  ClientStore store;
  Outbox outbox;

  @BeforeAll
  static void keys() {
    alice = TestPki.create("alice").user("alice");
  }

  @BeforeEach
  void open() throws IOException {
    store = ClientStore.open(dir);
    outbox =
        new Outbox(store, AtRestKey.openOrCreate(store, alice), Clock.fixed(T0, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void queuedMessages_surviveReopen_inTheOrderTyped() throws Exception {
    long a = outbox.enqueue("bob", "first");
    long b = outbox.enqueue("carol", "second");
    long c = outbox.enqueue("bob", "third");
    store.close();
    open();

    assertThat(outbox.pending())
        .containsExactly(
            new PendingMessage(a, "bob", "first", T0, null, null),
            new PendingMessage(b, "carol", "second", T0, null, null),
            new PendingMessage(c, "bob", "third", T0, null, null));
  }

  @Test
  void sealedForm_isKeptWithTheMessage_soRetriesSendTheSameBytes() throws Exception {
    long a = outbox.enqueue("bob", "first");
    outbox.attachEnvelope(a, "00112233445566778899aabbccddeeff", new byte[] {1, 2, 3});
    outbox.attachEnvelope(
        a, "ffffffffffffffffffffffffffffffff", new byte[] {9}); // sealed once only
    store.close();
    open();
    PendingMessage p = outbox.pending().getFirst();
    assertThat(p.sealed()).isTrue();
    assertThat(p.messageIdHex()).isEqualTo("00112233445566778899aabbccddeeff");
    assertThat(p.envelope()).containsExactly(1, 2, 3);
  }

  @Test
  void removedMessage_isGoneAfterReopen_andTheRestKeepTheirOrder() throws Exception {
    long a = outbox.enqueue("bob", "first");
    long b = outbox.enqueue("bob", "second");
    long c = outbox.enqueue("bob", "third");
    outbox.remove(b);
    outbox.remove(b);
    store.close();
    open();

    assertThat(outbox.pending()).extracting(PendingMessage::id).containsExactly(a, c);
  }

  @Test
  void idsAreNeverReused_soARemovedIdCannotRemoveALaterMessage() throws Exception {
    long a = outbox.enqueue("bob", "first");
    outbox.remove(a);
    long b = outbox.enqueue("bob", "second");

    assertThat(b).isGreaterThan(a);
  }

  @Test
  void messageRedirectedToAnotherPeer_isRejected_andNothingIsReturned() throws Exception {
    outbox.enqueue("bob", "for bob only");
    try (Statement s = store.db().createStatement()) {
      s.execute("UPDATE outbox SET peer = 'mallory'");
    }

    assertThatThrownBy(() -> outbox.pending())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("altered or damaged")
        .hasMessageContaining("nothing was sent");
  }

  @Test
  void bodiesSwappedBetweenRows_areRejected() throws Exception {
    long a = outbox.enqueue("bob", "first");
    long b = outbox.enqueue("bob", "second");
    try (Statement s = store.db().createStatement()) {
      s.execute(
          "UPDATE outbox SET body = CASE id"
              + " WHEN "
              + a
              + " THEN (SELECT body FROM outbox WHERE id = "
              + b
              + ")"
              + " ELSE (SELECT body FROM outbox WHERE id = "
              + a
              + ") END");
    }

    assertThatThrownBy(() -> outbox.pending()).hasMessageContaining("altered or damaged");
  }

  @Test
  void pendingMessageToString_leavesOutTheText() throws Exception {
    outbox.enqueue("bob", "secret words");

    assertThat(outbox.pending().toString()).contains("bob").doesNotContain("secret words");
  }
}
