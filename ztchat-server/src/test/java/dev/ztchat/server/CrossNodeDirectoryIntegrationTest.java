package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory across two relay nodes on one PostgreSQL database: the certificates a user presents
 * to one node (its connection's client certificate, a {@code publish} frame) are served by the
 * other, although neither node's certs folder holds them.
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
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
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
}
