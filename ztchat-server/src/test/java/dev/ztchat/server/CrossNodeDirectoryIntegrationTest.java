package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates across two relay nodes on one PostgreSQL database: the certificates a user presents
 * to one node (its connection's client certificate, a {@code publish} frame) are served by the
 * other, although neither node's certs folder holds them; a revocation list copied to each node
 * closes the revoked user's connections on every node.
 */
class CrossNodeDirectoryIntegrationTest {
  private static DevPostgres postgres;

  @TempDir Path dir;

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

  /** Asks node {@code c}'s relay for {@code user}'s entry until it has one, for up to 10 s. */
  static Frame.Certificates lookUp(RawFrameClient c, String user) throws Exception {
    return lookUp(c, user, Duration.ofSeconds(10));
  }

  /** As {@link #lookUp(RawFrameClient, String)}, for up to {@code patience}. */
  static Frame.Certificates lookUp(RawFrameClient c, String user, Duration patience)
      throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    for (int i = 0; ; i++) {
      Frame f = PrekeyTestSupport.answer(c, new Frame.DirectoryRequest("d" + i, user));
      if (f instanceof Frame.Certificates found && found.encryption() != null) {
        return found;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("node never served " + user + ": last answer " + f);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void aRevocationCopiedToEachNode_closesTheUsersConnectionsOnEveryNode() throws Exception {
    TestPki pki = TestPki.create("alice", "bob");
    try (RelayNodes nodes = RelayNodes.start(pki, dir, postgres.newDatabase(), 2);
        RawFrameClient aliceOn1 = nodes.connect(1, "alice");
        RawFrameClient aliceOn2 = nodes.connect(2, "alice");
        RawFrameClient bobOn2 = nodes.connect(2, "bob")) {
      X509CRL crl =
          pki.revoke(pki.user("alice").signing().certificate(), RevocationReason.KEY_COMPROMISE);
      for (int n = 1; n <= 2; n++) {
        CrlFiles.write(nodes.node(n).config().certs().crl(), crl);
        nodes.node(n).reloadRevocations(); // what each node's watcher does within seconds
      }
      assertThat(aliceOn1.closedWithin(Duration.ofSeconds(5))).isTrue();
      assertThat(aliceOn2.closedWithin(Duration.ofSeconds(5))).isTrue();
      bobOn2.send(new Frame.Ping("still-here"));
      assertThat(bobOn2.expect(Frame.Pong.class).ref()).isEqualTo("still-here");
    }
  }

  @Test
  void certificatesDavePresentsToNode2_areServedToAliceOnNode1() throws Exception {
    TestPki pki = TestPki.create("alice");
    try (RelayNodes nodes = RelayNodes.start(pki, dir, postgres.newDatabase(), 2)) {
      pki.addUser("dave"); // after the certs folders were written: no node has his files
      try (RawFrameClient alice = nodes.connect(1, "alice");
          RawFrameClient dave = nodes.connect(2, "dave")) {
        dave.send(
            new Frame.Publish("p", PemFiles.toPem(pki.user("dave").encryption().certificate())));
        assertThat(dave.expect(Frame.Ok.class).ref()).isEqualTo("p");

        Frame.Certificates entry = lookUp(alice, "dave");
        assertThat(PemFiles.parseCertificate(entry.signing()))
            .isEqualTo(pki.user("dave").signing().certificate());
        assertThat(PemFiles.parseCertificate(entry.encryption()))
            .isEqualTo(pki.user("dave").encryption().certificate());
      }
    }
  }

  @Test
  void aCertificateAddedWithoutItsNotice_isServedAfterThePeriodicRead() throws Exception {
    TestPki pki = TestPki.create("alice");
    String database = postgres.newDatabase();
    try (RelayNodes nodes = RelayNodes.start(pki, dir, database, 1);
        RawFrameClient alice = nodes.connect(1, "alice")) {
      pki.addUser("dave"); // in no certs folder
      // as if another node added dave's rows and its NOTIFY never arrived
      for (var cert :
          List.of(
              Map.entry("USER_SIGNING", pki.user("dave").signing().certificate()),
              Map.entry("USER_ENCRYPTION", pki.user("dave").encryption().certificate()))) {
        StoreSql.run(
            database,
            "INSERT INTO published_certificates (owner, role, der) VALUES ('dave', '"
                + cert.getKey()
                + "', '\\x"
                + HexFormat.of().formatHex(cert.getValue().getEncoded())
                + "')");
      }
      // the read every 15 s takes the rows added since the previous one
      Frame.Certificates entry = lookUp(alice, "dave", Duration.ofSeconds(25));
      assertThat(PemFiles.parseCertificate(entry.encryption()))
          .isEqualTo(pki.user("dave").encryption().certificate());
    }
  }
}
