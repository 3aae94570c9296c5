package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/**
 * What a store migrated from before shared bodies must still hold, the same on SQLite and
 * PostgreSQL: the test filled the old schema with alice's id 1 for bob (any device) and for carol
 * (any device), both bytes {@code 01 01}, then id 2 for bob's laptop and phone, bytes {@code 02 02
 * 02}.
 */
final class MigratedQueue {
  static final String LAPTOP = "aa".repeat(32);
  static final String PHONE = "bb".repeat(32);

  private MigratedQueue() {}

  static String id(int n) {
    return String.format("%032x", n);
  }

  /**
   * Stores one more envelope for bob and carol, reads everything back in order with its bytes and
   * targets, and acknowledges it all: the queue is empty afterwards.
   */
  static void readsInOrder_thenDrains(OfflineQueue q) throws Exception {
    q.enqueue(List.of("bob", "carol"), "alice", id(3), new byte[] {3});
    assertThat(q.after("bob", PHONE, 0, 10))
        .extracting(QueuedEnvelope::envelope)
        .containsExactly(new byte[] {1, 1}, new byte[] {2, 2, 2}, new byte[] {3});
    assertThat(q.after("carol", 0, 10))
        .extracting(QueuedEnvelope::envelope)
        .containsExactly(new byte[] {1, 1}, new byte[] {3});
    assertThat(q.remove("bob", LAPTOP, "alice", id(2))).isTrue();
    assertThat(q.after("bob", PHONE, 0, 10)).hasSize(3); // the phone has not acknowledged it
    assertThat(q.removeAll("bob", PHONE, List.of(alice(1), alice(2), alice(3)))).isEqualTo(3);
    assertThat(q.removeAll("carol", OfflineQueue.ANY_DEVICE, List.of(alice(1), alice(3))))
        .isEqualTo(2);
    assertThat(q.totals().messages()).isZero();
  }

  private static EnvelopeId alice(int n) {
    return new EnvelopeId("alice", id(n));
  }
}
