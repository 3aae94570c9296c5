package dev.ztchat.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Relay nodes for the scale-out bench, each a JVM of its own ({@link RelayProcess}) with the same
 * heap, its own data folder and port, all on one store: the same PostgreSQL database (what
 * docs/DEPLOYMENT.md calls several nodes), or, for one node, SQLite in its data folder. Pair {@code
 * i}'s sender uses node {@code i mod n} and its receiver the next node, so with more than one node
 * every message crosses nodes. Closing stops every node.
 */
final class RelayCluster implements AutoCloseable {
  /** The heap of every node, so that one node and three get the same each. */
  private static final List<String> NODE_JVM = List.of("-Xms256m", "-Xmx1g");

  private final List<RelayProcess> nodes = new ArrayList<>();

  private RelayCluster() {}

  /** Starts {@code count} nodes on {@code store} (empty: SQLite, one node only). */
  static RelayCluster start(BenchPki pki, int count, String store)
      throws IOException, InterruptedException {
    if (count < 1 || (store.isEmpty() && count > 1)) {
      throw new IllegalArgumentException(
          "a cluster needs at least one node, and several nodes need a shared (PostgreSQL) store");
    }
    RelayCluster c = new RelayCluster();
    try {
      for (int i = 0; i < count; i++) {
        c.nodes.add(RelayProcess.start(pki, NODE_JVM, store));
      }
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  int size() {
    return nodes.size();
  }

  /** The port of the node pair {@code pair}'s sender connects to. */
  int senderPort(int pair) {
    return nodes.get(pair % nodes.size()).port();
  }

  /** The port of the node pair {@code pair}'s receiver connects to: the sender's next node. */
  int receiverPort(int pair) {
    return nodes.get((pair + 1) % nodes.size()).port();
  }

  /** The nodes' own store counters, summed. */
  StoreCounters counters() throws IOException, InterruptedException {
    StoreCounters sum = StoreCounters.ZERO;
    for (RelayProcess n : nodes) {
      sum = sum.plus(n.storeCounters());
    }
    return sum;
  }

  @Override
  public void close() throws InterruptedException {
    for (RelayProcess n : nodes) {
      n.close();
    }
  }
}
