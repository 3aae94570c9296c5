package dev.ztchat.server;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several relay nodes for one test, each on its own ephemeral port and data folder (so nothing is
 * shared through local files), all with {@code --store} the same PostgreSQL database and the same
 * PKI: what docs/DEPLOYMENT.md calls several nodes.
 */
final class RelayNodes implements AutoCloseable {
  private final TestPki pki;
  private final List<RelayServer> nodes = new ArrayList<>();

  private RelayNodes(TestPki pki) {
    this.pki = pki;
  }

  /** What a test adds to each node's certs folder before the node starts. */
  @FunctionalInterface
  interface CertsSetup {
    void prepare(CertsLayout certs) throws Exception;
  }

  /** Starts {@code count} nodes on the database {@code storeUrl}, their files under {@code dir}. */
  static RelayNodes start(TestPki pki, Path dir, String storeUrl, int count) throws Exception {
    return start(pki, dir, storeUrl, count, certs -> {});
  }

  /**
   * As {@link #start(TestPki, Path, String, int)}, each node's certs folder prepared by {@code
   * setup}.
   */
  static RelayNodes start(TestPki pki, Path dir, String storeUrl, int count, CertsSetup setup)
      throws Exception {
    RelayNodes out = new RelayNodes(pki);
    try {
      for (int i = 1; i <= count; i++) {
        RelayServerConfig c = RelayTestSupport.relayConfig(pki, dir.resolve("node" + i));
        setup.prepare(c.certs());
        out.nodes.add(RelayServer.start(c.withQueue(c.queue().withStore(storeUrl))));
      }
      return out;
    } catch (Exception | Error e) {
      out.close();
      throw e;
    }
  }

  /** Node {@code n}, counted from 1. */
  RelayServer node(int n) {
    return nodes.get(n - 1);
  }

  /** A raw TLS client of {@code user}, past the welcome of node {@code n}. */
  RawFrameClient connect(int n, String user) throws Exception {
    return RelayTestSupport.connectWelcomed(node(n), pki, user);
  }

  @Override
  public void close() {
    nodes.forEach(RelayServer::close);
  }
}
