package dev.ztchat.server.store;

import java.io.IOException;
import java.util.Collection;
import java.util.Set;

/**
 * Which users are online on the other relay nodes sharing this node's PostgreSQL store, so that
 * {@code who} and the {@code delivered} status of {@code sent} answer across nodes as they do on
 * one. Each node tells it when a user's first connection arrives here and when the last one leaves;
 * what it answers is only ever filtered further by the relay (a user sees the presence of its
 * contacts only, docs/SECURITY.md). With the SQLite store there is one node, and nothing to share
 * ({@link #NOT_SHARED}).
 *
 * <p>{@link #arrived} and {@link #left} return at once (the store is written on a thread of its
 * own, in the order they were called); {@link #onlineElsewhere} blocks on the store.
 */
public interface SharedPresence extends AutoCloseable {
  /** One relay node: nobody is online elsewhere. */
  SharedPresence NOT_SHARED =
      new SharedPresence() {
        @Override
        public void arrived(String identity) {}

        @Override
        public void left(String identity) {}

        @Override
        public Set<String> onlineElsewhere(Collection<String> identities) {
          return Set.of();
        }

        @Override
        public int nodesServing(String identity) {
          return 1;
        }

        @Override
        public void close() {}
      };

  /** The presence of {@code limits}' PostgreSQL store; {@link #NOT_SHARED} on SQLite. */
  static SharedPresence open(QueueLimits limits) throws IOException {
    var postgres = limits.postgres();
    if (postgres.isPresent()) {
      return PostgresPresence.open(postgres.get());
    }
    return NOT_SHARED;
  }

  /** {@code identity}'s first connection to this node was let in. */
  void arrived(String identity);

  /** {@code identity}'s last connection to this node closed. */
  void left(String identity);

  /** Those of {@code identities} with a connection to another node that is alive. */
  Set<String> onlineElsewhere(Collection<String> identities) throws IOException;

  /**
   * On how many live nodes, this one included, {@code identity} is connected, as last read (at
   * least 1); from memory, any thread. Each node gives an identity its rate budget divided by this
   * number, so spreading connections over nodes does not buy more rate.
   */
  int nodesServing(String identity);

  /** Forgets this node's users (the other nodes see them offline at once). */
  @Override
  void close();
}
