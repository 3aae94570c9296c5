package dev.ztchat.server;

import static dev.ztchat.server.PrekeyTestSupport.answer;
import static dev.ztchat.server.PrekeyTestSupport.der;
import static dev.ztchat.server.PrekeyTestSupport.deviceId;
import static dev.ztchat.server.PrekeyTestSupport.prekey;
import static dev.ztchat.server.PrekeyTestSupport.publishDevice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-time prekeys on two relay nodes sharing one PostgreSQL database: a device publishes through
 * one node, users on either node fetch its bundle, and each one-time prekey is handed out once
 * across both, then the last-resort one (what a v2 session between users on different nodes needs:
 * docs/v2/prekeys.md section 4).
 */
class CrossNodePrekeyIntegrationTest {
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

  @Test
  void prekeysPublishedOnNode2_areHandedOutOnceAcrossBothNodes_thenTheLastResort()
      throws Exception {
    TestPki pki = TestPki.create("alice", "bob", "carol");
    X509Certificate bobsDevice = pki.device("bob").certificate();
    try (RelayNodes nodes = RelayNodes.start(pki, dir, postgres.newDatabase(), 2);
        RawFrameClient bob = nodes.connect(2, "bob");
        RawFrameClient alice = nodes.connect(1, "alice");
        RawFrameClient carol = nodes.connect(2, "carol")) {
      byte[] signed = prekey(PrekeyKind.SIGNED_X25519, 1);
      byte[] lastResort = prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1);
      publishDevice(bob, bobsDevice, signed, lastResort);
      List<String> published = new ArrayList<>();
      List<byte[]> oneTime = new ArrayList<>();
      for (int id = 1; id <= 4; id++) {
        byte[] p = prekey(PrekeyKind.ONE_TIME_ML_KEM_768, id);
        oneTime.add(p);
        published.add(HexFormat.of().formatHex(p));
      }
      assertThat(
              answer(
                  bob,
                  new Frame.PublishPrekeys("ot", deviceId(bobsDevice), null, null, null, oneTime)))
          .isInstanceOf(Frame.PrekeyStock.class);

      List<String> handedOut = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        RawFrameClient asker = i % 2 == 0 ? alice : carol; // node 1, node 2, node 1, node 2
        Frame.PrekeyBundle b =
            (Frame.PrekeyBundle) answer(asker, new Frame.BundleRequest("b" + i, "bob"));
        assertThat(b.lastResort()).isFalse();
        assertThat(b.certificate()).isEqualTo(der(bobsDevice));
        assertThat(b.signedPrekey()).isEqualTo(signed);
        handedOut.add(HexFormat.of().formatHex(b.kemPrekey()));
      }
      assertThat(handedOut)
          .as("each one-time prekey once, whichever node was asked")
          .containsExactlyInAnyOrderElementsOf(published);

      Frame.PrekeyBundle last =
          (Frame.PrekeyBundle) answer(alice, new Frame.BundleRequest("b-last", "bob"));
      assertThat(last.lastResort()).isTrue();
      assertThat(last.kemPrekey()).isEqualTo(lastResort);
    }
  }
}
