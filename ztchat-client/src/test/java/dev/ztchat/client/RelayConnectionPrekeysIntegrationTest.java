package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library's prekey requests against a real relay (docs/v2/prekeys.md): bytes in, the
 * same bytes out, refusals as {@link RelayConnection.RelayException} with their code.
 */
class RelayConnectionPrekeysIntegrationTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;

  /** {@code u8 kind | u32 id | u16 key length | key | u16 signature length | signature}. */
  private static byte[] prekey(int kind, int id, int keyLength) {
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 2 + keyLength + 2 + 70);
    byte[] key = new byte[keyLength];
    RANDOM.nextBytes(key);
    b.put((byte) kind).putInt(id).putShort((short) keyLength).put(key).putShort((short) 70);
    return b.put(new byte[70]).array();
  }

  @Test
  void publishedPrekeys_comeBackByteForByte_toAnotherUser() throws Exception {
    TestPki pki = TestPki.create("alice", "bob");
    var certs = pki.writeTo(dir.resolve("certs"));
    X509Certificate device = pki.device("alice").certificate();
    byte[] der = device.getEncoded();
    String deviceId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    byte[] signed = prekey(1, 7, 32);
    byte[] lastResort = prekey(3, 7, 1184);
    byte[] oneTime = prekey(2, 1, 1184);
    try (RelayServer server =
            RelayServer.start(
                RelayServerConfig.defaults(certs, dir.resolve("relay"))
                    .withPort(0)
                    .withMaxFrame(4096)); // three one-time prekeys exceed it: refused unsent
        RelayConnection alice =
            RelayConnection.connect(
                "localhost", server.port(), pki.user("alice").signing(), pki.ca().certificate());
        RelayConnection bob =
            RelayConnection.connect(
                "localhost", server.port(), pki.user("bob").signing(), pki.ca().certificate())) {
      Frame.PrekeyStock first = alice.publishPrekeys(deviceId, der, signed, lastResort, List.of());
      assertThat(first.signedPrekeyId()).isEqualTo("00000007");
      Frame.PrekeyStock stock = alice.publishPrekeys(deviceId, null, null, null, List.of(oneTime));
      assertThat(stock.oneTime()).isEqualTo(1);
      assertThat(stock.nextOneTimeId()).isEqualTo("00000002");

      Frame.PrekeyBundle b = bob.fetchBundle("alice");
      assertThat(b.certificate()).isEqualTo(der);
      assertThat(b.device()).isEqualTo(deviceId);
      assertThat(b.signedPrekey()).isEqualTo(signed);
      assertThat(b.kemPrekey()).isEqualTo(oneTime);
      assertThat(b.lastResort()).isFalse();
      Frame.PrekeyBundle next = bob.fetchBundle("alice");
      assertThat(next.kemPrekey()).isEqualTo(lastResort);
      assertThat(next.lastResort()).isTrue();

      assertThatThrownBy(() -> bob.fetchBundle("nobody"))
          .isInstanceOfSatisfying(
              RelayConnection.RelayException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_USER));
      assertThatThrownBy(
              () -> alice.publishPrekeys(deviceId, null, prekey(1, 8, 31), null, List.of()))
          .isInstanceOfSatisfying(
              RelayConnection.RelayException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_PREKEY);
                assertThat(e).hasMessageContaining("key of 31 bytes, not 32");
              });
      assertThatThrownBy(
              () ->
                  alice.publishPrekeys(
                      deviceId,
                      null,
                      null,
                      null,
                      List.of(prekey(2, 2, 1184), prekey(2, 3, 1184), prekey(2, 4, 1184))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("exceeds the relay's frame limit of 4096 bytes");
      assertThat(alice.isOpen()).isTrue();
    }
  }
}
