package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link OfflineQueue} promises, run against each store (SQLite and PostgreSQL, one
 * subclass each): order per recipient and per device, ack before delete, per-device targets,
 * quotas, TTL, contacts and devices, everything kept across a restart, concurrent writers.
 */
abstract class OfflineQueueContract {
  @TempDir Path dir;

  /** A clock the test moves by hand. */
  final MutableClock clock = MutableClock.at(Instant.parse("2026-11-26T12:00:00Z"));

  static final String LAPTOP = "aa".repeat(32);
  static final String PHONE = "bb".repeat(32);

  static String id(int n) {
    return String.format("%032x", n);
  }

  /**
   * Opens the store under test with {@code limits} and {@link #clock}: within one test, every call
   * opens the same store (so closing and opening again is a relay's restart).
   */
  abstract OfflineQueue open(QueueLimits limits) throws Exception;

  OfflineQueue open() throws Exception {
    return open(QueueLimits.defaults(dir));
  }

  /** How many envelope bodies the store under test holds (table {@code bodies}), in all. */
  abstract long bodiesStored() throws Exception;

  /**
   * The bodies left of a message enqueued for {@code all} once only {@code left} still hold their
   * copies: its one body while anyone does, in a store with one database.
   */
  long bodiesLeft(OfflineQueue q, List<String> all, List<String> left) {
    return all.size() > 1 && !left.isEmpty() ? 1 : 0;
  }

  /**
   * How many bodies one enqueue to {@code recipients} stores: one per database holding two or more
   * of their queues (one, but for a sharded store); a single recipient's bytes stay in its row.
   */
  long bodiesPerEnqueue(OfflineQueue q, List<String> recipients) {
    return recipients.size() > 1 ? 1 : 0;
  }

  void enqueueForBoth(OfflineQueue q, int n) throws Exception {
    q.enqueue(
        List.of("bob"),
        "alice",
        id(n),
        clock.millis(),
        new byte[] {(byte) n},
        r -> List.of(LAPTOP, PHONE),
        e -> {});
  }

  @Test
  void anEnvelopeReadButNotAcknowledged_isReadAgain_untilItsAck() throws Exception {
    try (OfflineQueue q = open()) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1});
      assertThat(q.after("bob", 0, 10)).hasSize(1);
    }
    try (OfflineQueue q = open()) { // the connection dropped before the ack: it is still there
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1));
      assertThat(q.remove("bob", "alice", id(1))).isTrue();
      assertThat(q.after("bob", 0, 10)).isEmpty();
    }
  }

  @Test
  void storedEnvelopesDevicesAndContacts_surviveARestart_byteForByte() throws Exception {
    byte[] sealed = {7, 0, -1, 7};
    try (OfflineQueue q = open()) {
      q.enqueue(
          List.of("bob"), "alice", id(7), clock.millis(), sealed, r -> List.of(LAPTOP), e -> {});
      q.registerDevice("bob", LAPTOP, true);
    }
    try (OfflineQueue q = open()) {
      assertThat(q.after("bob", LAPTOP, 0, 10))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.messageId()).isEqualTo(id(7));
                assertThat(e.sender()).isEqualTo("alice");
                assertThat(e.envelope()).containsExactly(sealed);
              });
      assertThat(q.ownersWithNamedDevices()).containsExactly("bob");
      assertThat(q.contactsOf("bob")).containsExactly("alice");
      assertThat(q.totals().messages()).isEqualTo(1);
      assertThat(q.totals().bytes()).isEqualTo(sealed.length);
    }
  }

  @Test
  void aRolledBackTransaction_storesNothing() throws Exception {
    try (OfflineQueue q = open()) {
      try {
        q.transaction(
            () -> {
              q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1});
              throw new java.io.IOException("the batch failed");
            });
      } catch (java.io.IOException expected) {
        assertThat(expected).hasMessage("the batch failed");
      }
      assertThat(q.pending("bob")).isZero();
      assertThat(q.contactsOf("bob")).isEmpty();
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1}))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }

  @Test
  void anAcknowledgementInATransactionStoppedByAnError_deletesNothing_andStillCountsForTheQuota()
      throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(8, 1 << 20))) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[10]);
      q.enqueue(List.of("bob"), "alice", id(2), new byte[10]); // alice's whole share of bob's
      try {
        q.transaction(
            () -> {
              q.remove("bob", "alice", id(1));
              throw new AssertionError("the batch stopped");
            });
      } catch (AssertionError expected) {
        assertThat(expected).hasMessage("the batch stopped");
      }
      assertThat(q.pending("bob")).isEqualTo(2);
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL);
    }
  }

  @Test
  void severalWritersAtOnce_loseNothing_andKeepEachSendersOrder() throws Exception {
    int writers = 4;
    int each = 50;
    List<OfflineQueue> queues = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int w = 0; w < writers; w++) {
        queues.add(open());
      }
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        OfflineQueue q = queues.get(w);
        String sender = "s" + w;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    assertThat(q.enqueue(List.of("bob", "carol"), sender, id(i), new byte[] {1}))
                        .containsEntry("bob", EnqueueOutcome.STORED)
                        .containsEntry("carol", EnqueueOutcome.STORED);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      for (OfflineQueue q : queues) {
        q.close();
      }
    }
    try (OfflineQueue q = open()) {
      for (String recipient : List.of("bob", "carol")) {
        List<QueuedEnvelope> all = new ArrayList<>();
        long after = 0;
        for (List<QueuedEnvelope> page = q.after(recipient, after, 7);
            !page.isEmpty();
            page = q.after(recipient, after, 7)) {
          all.addAll(page);
          after = page.getLast().seq();
        }
        assertThat(all).hasSize(writers * each);
        for (int w = 0; w < writers; w++) {
          String sender = "s" + w;
          assertThat(all.stream().filter(e -> e.sender().equals(sender)))
              .extracting(QueuedEnvelope::messageId)
              .containsExactlyElementsOf(
                  java.util.stream.IntStream.range(0, each).mapToObj(i -> id(i)).toList());
        }
      }
    }
  }

  @Test
  void envelopes_comeBackInArrivalOrder_perRecipient() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir))) {
      for (int i = 0; i < 10; i++) {
        q.enqueue(List.of("bob"), "alice", id(i), new byte[] {(byte) i});
      }
      q.enqueue(List.of("carol"), "alice", id(99), new byte[] {99});
      List<QueuedEnvelope> first = q.after("bob", 0, 4);
      assertThat(first)
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(0), id(1), id(2), id(3));
      List<QueuedEnvelope> rest = q.after("bob", first.getLast().seq(), 100);
      assertThat(rest)
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(4), id(5), id(6), id(7), id(8), id(9));
    }
  }

  @Test
  void sameMessageTwice_isStoredOnce() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir))) {
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1}))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1}))
          .containsEntry("bob", EnqueueOutcome.ALREADY_STORED);
      assertThat(q.pending("bob")).isEqualTo(1);
    }
  }

  @Test
  void acknowledgedEnvelope_isRemoved_andOnlyFromThatRecipient() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir))) {
      q.enqueue(List.of("bob", "carol"), "alice", id(1), new byte[] {1});
      assertThat(q.remove("bob", "alice", id(1))).isTrue();
      assertThat(q.remove("bob", "alice", id(1))).isFalse();
      assertThat(q.pending("bob")).isZero();
      assertThat(q.pending("carol")).isEqualTo(1);
    }
  }

  // The recipient's quota is filled by several senders, each within its share (a quarter by
  // default).

  @Test
  void recipientOverCountQuota_isRefused_othersUnaffected() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(4, 1 << 20))) {
      for (int i = 0; i < 4; i++) {
        assertThat(q.enqueue(List.of("bob"), "s" + i, id(i), new byte[10]))
            .containsEntry("bob", EnqueueOutcome.STORED);
      }
      Map<String, EnqueueOutcome> r =
          q.enqueue(List.of("bob", "carol"), "alice", id(4), new byte[10]);
      assertThat(r)
          .containsEntry("bob", EnqueueOutcome.QUEUE_FULL)
          .containsEntry("carol", EnqueueOutcome.STORED);
    }
  }

  @Test
  void recipientOverByteQuota_isRefused() throws Exception {
    try (OfflineQueue q =
        open(QueueLimits.defaults(dir).withQuota(100, 8000).withSenderShare(50))) {
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[4000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "carol", id(2), new byte[3000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "dave", id(3), new byte[1001]))
          .containsEntry("bob", EnqueueOutcome.QUEUE_FULL);
      assertThat(q.enqueue(List.of("bob"), "dave", id(4), new byte[1000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }

  @Test
  void aCopyAlreadyPushedToItsRecipient_isStoredBeyondTheQuotas_andCountsAgainstThem()
      throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(8, 1 << 20))) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[10]);
      q.enqueue(List.of("bob"), "alice", id(2), new byte[10]); // alice's whole share of bob's
      assertThat(pushed(q, id(3))).containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(pushed(q, id(3))).containsEntry("bob", EnqueueOutcome.ALREADY_STORED);
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1), id(2), id(3));
      // the share still holds for every copy not pushed: it now counts three of alice's
      q.remove("bob", "alice", id(1));
      assertThat(q.enqueue(List.of("bob"), "alice", id(4), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL);
    }
  }

  private Map<String, EnqueueOutcome> pushed(OfflineQueue q, String messageId) throws Exception {
    return q.enqueue(
        List.of("bob"),
        "alice",
        messageId,
        clock.millis(),
        new byte[10],
        r -> List.of(OfflineQueue.ANY_DEVICE),
        e -> {},
        OfflineQueue.Quotas.WAIVED_FOR_A_PUSHED_COPY);
  }

  @Test
  void senderOverItsShareOfTheCount_isRefused_forThatRecipientOnly() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(8, 1 << 20))) {
      assertThat(QueueLimits.defaults(dir).withQuota(8, 1 << 20).maxMessagesPerSender())
          .isEqualTo(2);
      q.enqueue(List.of("bob"), "alice", id(1), new byte[10]);
      q.enqueue(List.of("bob"), "alice", id(2), new byte[10]);
      Map<String, EnqueueOutcome> r =
          q.enqueue(List.of("bob", "carol"), "alice", id(3), new byte[10]);
      assertThat(r)
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL)
          .containsEntry("carol", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "dave", id(4), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      // a retry of what is stored is still "already stored"; an acknowledgement frees the share
      assertThat(q.enqueue(List.of("bob"), "alice", id(2), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.ALREADY_STORED);
      q.remove("bob", "alice", id(1));
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }

  @Test
  void senderOverItsShareOfTheBytes_isRefused() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(100, 40_000))) {
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[9000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "alice", id(2), new byte[1001]))
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL);
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[1000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "carol", id(4), new byte[9000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }

  @Test
  void sendersShare_isCountedFromTheTable_afterReopening() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(8, 1 << 20))) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[10]);
      q.enqueue(List.of("bob"), "alice", id(2), new byte[10]);
    }
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(8, 1 << 20))) {
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL);
    }
  }

  @Test
  void envelopeSealedLongAgo_expiresWithTheReceiversWindow_notTheTtl() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir))) {
      long sealed =
          clock.instant().minus(QueueLimits.MAX_TTL).plus(Duration.ofHours(1)).toEpochMilli();
      q.enqueue(List.of("bob"), "alice", id(1), sealed, new byte[] {1}, e -> {});
      q.enqueue(List.of("bob"), "alice", id(2), new byte[] {2}); // sealed now
      clock.advance(Duration.ofMinutes(61));
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(2));
      assertThat(q.purgeExpired()).isEqualTo(1);
    }
  }

  @Test
  void aChunkedPurge_deletesAtMostTheChunk_theLongestExpiredFirst() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir))) {
      long now = clock.millis();
      long window = QueueLimits.MAX_TTL.toMillis();
      // sealed 3, 2 and 1 hours before the receivers' window closes, then that window passes
      q.enqueue(List.of("bob"), "alice", id(1), now - window + 3_600_000, new byte[] {1}, e -> {});
      q.enqueue(List.of("bob"), "alice", id(2), now - window + 7_200_000, new byte[] {2}, e -> {});
      q.enqueue(List.of("bob"), "alice", id(3), now - window + 10_800_000, new byte[] {3}, e -> {});
      q.enqueue(List.of("bob"), "alice", id(4), new byte[] {4}); // sealed now: stays
      clock.advance(Duration.ofHours(4));

      assertThat(q.purgeExpired(2)).isEqualTo(2);
      assertThat(q.targetsLeft("bob", "alice", id(1))).isZero();
      assertThat(q.targetsLeft("bob", "alice", id(3))).isEqualTo(1);
      assertThat(q.purgeExpired(2)).isEqualTo(1);
      assertThat(q.purgeExpired(2)).isZero();
      assertThat(q.totals().messages()).isEqualTo(1);
    }
  }

  @Test
  void envelopeAlreadyPastTheWindow_isNotStored() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir))) {
      long sealed = clock.instant().minus(QueueLimits.MAX_TTL).minusMillis(1).toEpochMilli();
      assertThat(q.alreadyExpired(sealed)).isTrue();
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), sealed, new byte[] {1}, e -> {}))
          .containsEntry("bob", EnqueueOutcome.EXPIRED);
      assertThat(q.pending("bob")).isZero();
      assertThat(q.contactsOf("bob")).isEmpty();
    }
  }

  @Test
  void contacts_areThoseWhoseEnvelopesWereStored_andSurviveReopening() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(4, 1 << 20))) {
      q.enqueue(List.of("bob", "carol"), "alice", id(1), new byte[] {1});
      q.enqueue(List.of("bob"), "dave", id(2), new byte[] {2});
      q.recordContact("alice", "bob");
      assertThat(q.knownContact("bob", "alice")).isTrue();
      assertThat(q.knownContact("alice", "carol")).isFalse();
    }
    try (OfflineQueue q = open(QueueLimits.defaults(dir))) {
      assertThat(q.knownContact("bob", "alice")).as("memory only: not read yet").isFalse();
      assertThat(q.contactsOf("bob")).containsExactlyInAnyOrder("alice", "dave");
      assertThat(q.contactsOf("carol")).containsExactly("alice");
      assertThat(q.contactsOf("alice")).containsExactly("bob");
      assertThat(q.contactsOf("dave")).isEmpty();
    }
  }

  @Test
  void expiredEnvelopes_areNotDelivered_andArePurged() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withTtl(Duration.ofHours(1)))) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1});
      clock.advance(Duration.ofMinutes(30));
      q.enqueue(List.of("bob"), "alice", id(2), new byte[] {2});
      clock.advance(Duration.ofMinutes(31));
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(2));
      assertThat(q.purgeExpired()).isEqualTo(1);
      assertThat(q.pending("bob")).isEqualTo(1);
    }
  }

  @Test
  void oneDevicesAck_removesOnlyItsCopy_theEnvelopeGoesWithTheLastTarget() throws Exception {
    try (OfflineQueue q = open()) {
      enqueueForBoth(q, 1);
      enqueueForBoth(q, 2);

      assertThat(q.remove("bob", LAPTOP, "alice", id(1))).isTrue();
      assertThat(q.remove("bob", LAPTOP, "alice", id(1))).isFalse(); // acknowledged already

      assertThat(q.after("bob", LAPTOP, 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(2));
      assertThat(q.after("bob", PHONE, 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1), id(2));
      assertThat(q.targetsLeft("bob", "alice", id(1))).isEqualTo(1);
      assertThat(q.pending("bob")).isEqualTo(2); // stored once each, whatever the devices

      assertThat(q.remove("bob", PHONE, "alice", id(1))).isTrue();
      assertThat(q.pending("bob")).isEqualTo(1);
      assertThat(q.targetsLeft("bob", "alice", id(1))).isZero();
    }
  }

  @Test
  void aDeviceNotTargeted_readsNothing_andCannotAcknowledge() throws Exception {
    try (OfflineQueue q = open()) {
      q.enqueue(
          List.of("bob"),
          "alice",
          id(1),
          clock.millis(),
          new byte[] {1},
          r -> List.of(LAPTOP),
          e -> {});

      assertThat(q.after("bob", PHONE, 0, 10)).isEmpty();
      assertThat(q.remove("bob", PHONE, "alice", id(1))).isFalse();
      assertThat(q.after("bob", LAPTOP, 0, 10)).hasSize(1);
    }
  }

  @Test
  void aConnectionWithoutDevice_readsEveryCopy_andItsAckTakesIt_asBeforeDevices() throws Exception {
    try (OfflineQueue q = open()) {
      enqueueForBoth(q, 1);

      assertThat(q.after("bob", OfflineQueue.ANY_DEVICE, 0, 10)).hasSize(1);
      assertThat(q.remove("bob", OfflineQueue.ANY_DEVICE, "alice", id(1))).isTrue();
      assertThat(q.after("bob", LAPTOP, 0, 10)).isEmpty();
      assertThat(q.pending("bob")).isZero();
    }
  }

  @Test
  void expiry_removesTheEnvelopeAndEveryTarget() throws Exception {
    try (OfflineQueue q = open()) {
      enqueueForBoth(q, 1);
      clock.advance(QueueLimits.MAX_TTL.plus(Duration.ofDays(1)));

      assertThat(q.purgeExpired()).isEqualTo(1);
      assertThat(q.targetsLeft("bob", "alice", id(1))).isZero();
    }
  }

  @Test
  void registeredDevices_survivesReopen() throws Exception {
    try (OfflineQueue q = open()) {
      q.registerDevice("bob", LAPTOP);
      q.registerDevice("bob", PHONE);
      q.registerDevice("bob", PHONE);
    }
    try (OfflineQueue q = open()) {
      assertThat(q.registeredDevices()).isEqualTo(Map.of("bob", Set.of(LAPTOP, PHONE)));
    }
  }

  // ---- batch acknowledgements (acks, docs/PROTOCOL.md section 9) ----

  static List<EnvelopeId> alices(int... ns) {
    return java.util.Arrays.stream(ns).mapToObj(n -> new EnvelopeId("alice", id(n))).toList();
  }

  @Test
  void removeAll_deletesEveryEnvelopeNamed_andNothingElse() throws Exception {
    try (OfflineQueue q = open()) {
      for (int i = 0; i < 6; i++) {
        q.enqueue(List.of("bob"), "alice", id(i), new byte[] {(byte) i});
      }
      assertThat(q.removeAll("bob", OfflineQueue.ANY_DEVICE, alices(0, 2, 3, 5))).isEqualTo(4);
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1), id(4));
      assertThat(q.totals().messages()).isEqualTo(2);
    }
  }

  @Test
  void removeAll_ofAMixOfHeldAndUnknownNames_deletesTheHeld_andCountsOnlyThem() throws Exception {
    try (OfflineQueue q = open()) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1});
      q.enqueue(List.of("carol"), "alice", id(2), new byte[] {2});
      q.enqueue(List.of("bob"), "dave", id(3), new byte[] {3});
      List<EnvelopeId> names =
          List.of(
              new EnvelopeId("alice", id(1)), // bob's
              new EnvelopeId("alice", id(2)), // carol's: not bob's to acknowledge
              new EnvelopeId("alice", id(3)), // the id of dave's envelope, with another sender
              new EnvelopeId("alice", id(99))); // nobody's
      assertThat(q.removeAll("bob", OfflineQueue.ANY_DEVICE, names)).isEqualTo(1);
      assertThat(q.removeAll("bob", OfflineQueue.ANY_DEVICE, names)).isZero();
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(3));
      assertThat(q.pending("carol")).isEqualTo(1);
    }
  }

  @Test
  void removeAll_ofMoreNamesThanOneStatementTakes_deletesThemAll() throws Exception {
    try (OfflineQueue q = open()) {
      int[] all = java.util.stream.IntStream.range(0, 150).toArray();
      q.transaction(
          () -> {
            for (int i : all) {
              q.enqueue(List.of("bob"), "alice", id(i), new byte[] {1});
            }
          });
      assertThat(q.removeAll("bob", OfflineQueue.ANY_DEVICE, alices(all))).isEqualTo(150);
      assertThat(q.pending("bob")).isZero();
    }
  }

  @Test
  void removeAll_forOneDevice_removesOnlyItsCopies_theEnvelopeGoesWithTheLastTarget()
      throws Exception {
    try (OfflineQueue q = open()) {
      enqueueForBoth(q, 1);
      enqueueForBoth(q, 2);
      q.enqueue(
          List.of("bob"),
          "alice",
          id(3),
          clock.millis(),
          new byte[] {3},
          r -> List.of(PHONE),
          e -> {});

      assertThat(q.removeAll("bob", LAPTOP, alices(1, 2, 3))).isEqualTo(2); // 3 is the phone's
      assertThat(q.after("bob", LAPTOP, 0, 10)).isEmpty();
      assertThat(q.after("bob", PHONE, 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1), id(2), id(3));
      assertThat(q.pending("bob")).isEqualTo(3);

      assertThat(q.removeAll("bob", PHONE, alices(1, 3))).isEqualTo(2);
      assertThat(q.targetsLeft("bob", "alice", id(1))).isZero();
      assertThat(q.targetsLeft("bob", "alice", id(2))).isEqualTo(1);
      assertThat(q.pending("bob")).isEqualTo(1);
    }
  }

  @Test
  void removeAll_freesTheSendersShare_likeSingleAcknowledgements() throws Exception {
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(8, 1 << 20))) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[10]);
      q.enqueue(List.of("bob"), "alice", id(2), new byte[10]);
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL);
      q.removeAll("bob", OfflineQueue.ANY_DEVICE, alices(1, 2));
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }

  @Test
  void removeAll_inATransactionThatRollsBack_deletesNothing() throws Exception {
    try (OfflineQueue q = open()) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1});
      q.enqueue(List.of("bob"), "alice", id(2), new byte[] {2});
      try {
        q.transaction(
            () -> {
              q.removeAll("bob", OfflineQueue.ANY_DEVICE, alices(1, 2));
              throw new java.io.IOException("the batch failed");
            });
      } catch (java.io.IOException expected) {
        assertThat(expected).hasMessage("the batch failed");
      }
    }
    try (OfflineQueue q = open()) { // read back from the store itself
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1), id(2));
    }
  }

  // One body per enqueue (per database), rows per recipient (SharedBody).

  static final List<String> GROUP = List.of("bob", "carol", "dave", "erin", "frank", "grace");

  byte[] groupEnvelope(int n) {
    byte[] e = new byte[300];
    java.util.Arrays.fill(e, (byte) n);
    e[0] = 2;
    return e;
  }

  @Test
  void aGroupEnvelope_isStoredOnce_andEachRecipientReadsItsOwnCopyOfTheBytes() throws Exception {
    try (OfflineQueue q = open()) {
      List<QueuedEnvelope> stored = new ArrayList<>();
      q.enqueue(
          GROUP,
          "alice",
          id(1),
          clock.millis(),
          groupEnvelope(1),
          r -> List.of(LAPTOP),
          stored::add);

      assertThat(stored).hasSize(GROUP.size());
      assertThat(bodiesStored()).isEqualTo(bodiesPerEnqueue(q, GROUP));
      for (String r : GROUP) {
        assertThat(q.after(r, LAPTOP, 0, 10))
            .singleElement()
            .satisfies(e -> assertThat(e.envelope()).containsExactly(groupEnvelope(1)));
      }
      // each recipient is charged the whole envelope, as when each had a copy of the bytes
      assertThat(q.totals().bytes()).isEqualTo(300L * GROUP.size());
    }
  }

  @Test
  void oneRecipientsAcknowledgement_leavesTheOthersCopiesReadable_theBodyGoesWithTheLast()
      throws Exception {
    try (OfflineQueue q = open()) {
      q.enqueue(
          GROUP,
          "alice",
          id(1),
          clock.millis(),
          groupEnvelope(1),
          r -> List.of(LAPTOP, PHONE),
          e -> {});
      q.enqueue(List.of("bob"), "alice", id(2), new byte[] {2}); // bob's own, after it

      for (int i = 0; i < GROUP.size(); i++) {
        String r = GROUP.get(i);
        assertThat(q.remove(r, LAPTOP, "alice", id(1))).isTrue();
        assertThat(q.after(r, PHONE, 0, 10)).extracting(QueuedEnvelope::messageId).contains(id(1));
        assertThat(q.removeAll(r, PHONE, alices(1))).isEqualTo(1);
        assertThat(q.after(r, PHONE, 0, 10))
            .extracting(QueuedEnvelope::messageId)
            .doesNotContain(id(1));
        for (String other : GROUP.subList(i + 1, GROUP.size())) {
          assertThat(q.after(other, LAPTOP, 0, 10))
              .singleElement()
              .satisfies(e -> assertThat(e.envelope()).containsExactly(groupEnvelope(1)));
        }
        assertThat(bodiesStored())
            .as("bodies left while %s still hold copies", GROUP.subList(i + 1, GROUP.size()))
            .isEqualTo(bodiesLeft(q, GROUP, GROUP.subList(i + 1, GROUP.size())));
      }
      assertThat(bodiesStored())
          .as("the group message's body went with its last copy; bob's own has none")
          .isZero();
      assertThat(q.after("bob", 0, 10))
          .singleElement()
          .satisfies(e -> assertThat(e.envelope()).containsExactly(2));
      assertThat(q.remove("bob", "alice", id(2))).isTrue();
      assertThat(bodiesStored()).isZero();
    }
  }

  @Test
  void batchedAcknowledgementsWithoutDevice_takeTheBodyWithTheLastCopy() throws Exception {
    try (OfflineQueue q = open()) {
      for (int n = 1; n <= 3; n++) {
        q.enqueue(GROUP, "alice", id(n), groupEnvelope(n));
      }
      for (String r : GROUP.subList(0, GROUP.size() - 1)) {
        assertThat(q.removeAll(r, OfflineQueue.ANY_DEVICE, alices(1, 2, 3))).isEqualTo(3);
      }
      assertThat(q.after("grace", 0, 10))
          .extracting(QueuedEnvelope::envelope)
          .containsExactly(groupEnvelope(1), groupEnvelope(2), groupEnvelope(3));
      assertThat(q.removeAll("grace", OfflineQueue.ANY_DEVICE, alices(1, 2, 3))).isEqualTo(3);
      assertThat(bodiesStored()).isZero();
    }
  }

  @Test
  void theBody_goesWhenItsCopiesExpire() throws Exception {
    try (OfflineQueue q = open()) {
      q.enqueue(
          GROUP, "alice", id(1), clock.millis(), groupEnvelope(1), r -> List.of(LAPTOP), e -> {});
      q.remove("bob", LAPTOP, "alice", id(1));
      clock.advance(QueueLimits.MAX_TTL.plus(Duration.ofDays(1)));

      assertThat(q.purgeExpired()).isEqualTo(GROUP.size() - 1);
      assertThat(bodiesStored()).isZero();
    }
  }

  @Test
  void aPurgeWithNothingExpired_keepsEveryBodyACopyStillRefersTo() throws Exception {
    try (OfflineQueue q = open()) {
      q.enqueue(GROUP, "alice", id(1), groupEnvelope(1));
      q.enqueue(GROUP, "alice", id(2), groupEnvelope(2));
      for (String r : GROUP.subList(0, GROUP.size() - 1)) {
        q.remove(r, "alice", id(1));
      }
      long stored = bodiesStored();

      assertThat(q.purgeExpired()).isZero();
      assertThat(bodiesStored()).isEqualTo(stored).isPositive();
      assertThat(q.after(GROUP.getLast(), 0, 10))
          .extracting(QueuedEnvelope::envelope)
          .containsExactly(groupEnvelope(1), groupEnvelope(2));
    }
  }

  @Test
  void anEnvelopeForOneRecipient_keepsItsBytesInItsOwnRow_andSeveralRecipientsShareOneBody()
      throws Exception {
    try (OfflineQueue q = open()) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1, 1});
      q.enqueue(
          List.of("carol"),
          "alice",
          id(2),
          clock.millis(),
          new byte[] {2},
          r -> List.of(LAPTOP),
          e -> {});
      assertThat(bodiesStored()).as("direct messages write no body").isZero();
      q.enqueue(GROUP, "alice", id(3), groupEnvelope(3));
      assertThat(bodiesStored()).isEqualTo(bodiesPerEnqueue(q, GROUP)).isPositive();

      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::envelope)
          .containsExactly(new byte[] {1, 1}, groupEnvelope(3));
      assertThat(q.after("carol", LAPTOP, 0, 10))
          .extracting(QueuedEnvelope::envelope)
          .containsExactly(new byte[] {2}, groupEnvelope(3));
      assertThat(q.removeAll("bob", OfflineQueue.ANY_DEVICE, alices(1, 3))).isEqualTo(2);
      assertThat(q.remove("carol", LAPTOP, "alice", id(2))).isTrue();
      assertThat(q.after("carol", LAPTOP, 0, 10))
          .extracting(QueuedEnvelope::envelope)
          .containsExactly(groupEnvelope(3));
    }
  }

  @Test
  void anEnqueueNoRecipientTakes_leavesNoBody() throws Exception {
    long afterFirst;
    try (OfflineQueue q = open()) {
      q.enqueue(GROUP, "alice", id(1), groupEnvelope(1));
      afterFirst = bodiesStored();
      // a retry: every recipient holds it already
      assertThat(q.enqueue(GROUP, "alice", id(1), groupEnvelope(1)).values())
          .containsOnly(EnqueueOutcome.ALREADY_STORED);
    }
    try (OfflineQueue q = open(QueueLimits.defaults(dir).withQuota(4, 1 << 20))) {
      // alice's share of each recipient's quota (one of four) is full
      assertThat(q.enqueue(GROUP, "alice", id(2), groupEnvelope(2)).values())
          .containsOnly(EnqueueOutcome.SENDER_SHARE_FULL);
      assertThat(bodiesStored()).isEqualTo(afterFirst);
    }
  }

  @Test
  void aSharedBody_countsInFullAgainstEachRecipientsQuota_andNoMore() throws Exception {
    try (OfflineQueue q =
        open(QueueLimits.defaults(dir).withQuota(100, 10_000).withSenderShare(50))) {
      assertThat(q.enqueue(List.of("bob", "carol"), "alice", id(1), new byte[5000]).values())
          .containsOnly(EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob", "carol"), "alice", id(2), new byte[1]).values())
          .containsOnly(EnqueueOutcome.SENDER_SHARE_FULL);
      assertThat(q.enqueue(List.of("bob"), "dave", id(3), new byte[5000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob", "carol"), "erin", id(4), new byte[1]))
          .containsEntry("bob", EnqueueOutcome.QUEUE_FULL)
          .containsEntry("carol", EnqueueOutcome.STORED);
      q.remove("carol", "alice", id(1)); // frees carol's charge only
      assertThat(q.enqueue(List.of("bob", "carol"), "alice", id(5), new byte[1]))
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL)
          .containsEntry("carol", EnqueueOutcome.STORED);
    }
  }
}
