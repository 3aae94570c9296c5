package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.DevPostgres;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' presence on one database: each learns on how many nodes a user is connected (for the
 * rate limits), and forgets it when the user leaves one.
 */
class PostgresPresenceTest {
  /** Two heartbeats and some. */
  private static final Duration SETTLE = PostgresPresence.HEARTBEAT.multipliedBy(2).plusSeconds(2);

  private static DevPostgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  static int settled(PostgresPresence node, String identity, int expected) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (node.nodesServing(identity) != expected && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return node.nodesServing(identity);
  }

  @Test
  void aUserOnTwoNodes_isCountedTwiceByEach_andOnceAfterLeavingOne() throws Exception {
    PostgresUrl url = PostgresUrl.parse(postgres.newDatabase());
    try (PostgresPresence one = PostgresPresence.open(url);
        PostgresPresence two = PostgresPresence.open(url)) {
      one.arrived("alice");
      one.arrived("bob");
      two.arrived("alice");
      assertThat(settled(one, "alice", 2)).isEqualTo(2);
      assertThat(settled(two, "alice", 2)).isEqualTo(2);
      assertThat(one.nodesServing("bob")).isEqualTo(1);
      assertThat(one.onlineElsewhere(List.of("alice", "bob"))).containsExactly("alice");

      two.left("alice");
      assertThat(settled(one, "alice", 1)).isEqualTo(1);
      assertThat(one.onlineElsewhere(List.of("alice", "bob"))).isEmpty();
    }
  }
}
