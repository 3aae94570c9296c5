package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a second copy of an envelope means: a redelivery (processed, acknowledgement never
 * confirmed) is absorbed; a copy after the relay confirmed deleting it, or of an envelope never
 * processed, is a replay.
 */
class AckLedgerTest {
  static final String ID = "00112233445566778899aabbccddeeff";

  @TempDir Path dir;
  final MutableClock clock = MutableClock.at(Instant.parse("2026-12-01T00:00:00Z"));
  ClientStore store;
  AckLedger ledger;

  @BeforeEach
  void open() throws Exception {
    store = ClientStore.open(dir.resolve("data"));
    ledger = new AckLedger(store, clock);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  @Test
  void processedButNotConfirmed_isAnExpectedRedelivery() throws Exception {
    ledger.processed("alice", ID);

    assertThat(ledger.awaitingConfirmation("alice", ID)).isTrue();
  }

  @Test
  void confirmed_aLaterCopyIsAReplay() throws Exception {
    ledger.processed("alice", ID);
    ledger.confirmed("alice", ID);

    assertThat(ledger.awaitingConfirmation("alice", ID)).isFalse();
  }

  @Test
  void neverProcessed_aCopyIsAReplay() throws Exception {
    assertThat(ledger.awaitingConfirmation("alice", ID)).isFalse();
  }

  @Test
  void processedAgainAfterConfirmation_staysConfirmed() throws Exception {
    ledger.processed("alice", ID);
    ledger.confirmed("alice", ID);

    ledger.processed("alice", ID);

    assertThat(ledger.awaitingConfirmation("alice", ID))
        .as("a replay cannot reset the ledger")
        .isFalse();
  }

  @Test
  void entriesAreKeptPerSender_theSameIdFromAnotherSenderIsNotARedelivery() throws Exception {
    ledger.processed("alice", ID);

    assertThat(ledger.awaitingConfirmation("mallory", ID)).isFalse();
  }

  @Test
  void confirmationForAnotherSender_leavesTheEntryAwaiting() throws Exception {
    ledger.processed("alice", ID);
    ledger.confirmed("mallory", ID);

    assertThat(ledger.awaitingConfirmation("alice", ID)).isTrue();
  }

  @Test
  void evictOlderThan_forgetsOnlyEntriesPastTheRetention() throws Exception {
    ledger.processed("alice", ID);
    clock.advance(Duration.ofDays(2));
    ledger.processed("bob", ID);
    clock.advance(Duration.ofDays(6));

    ledger.evictOlderThan(Duration.ofDays(7));

    assertThat(ledger.awaitingConfirmation("alice", ID)).as("8 days old: forgotten").isFalse();
    assertThat(ledger.awaitingConfirmation("bob", ID)).as("6 days old: kept").isTrue();
  }

  @Test
  void theLedgerSurvivesReopeningTheStore() throws Exception {
    ledger.processed("alice", ID);
    store.close();

    store = ClientStore.open(dir.resolve("data"));
    ledger = new AckLedger(store, clock);

    assertThat(ledger.awaitingConfirmation("alice", ID)).isTrue();
  }
}
