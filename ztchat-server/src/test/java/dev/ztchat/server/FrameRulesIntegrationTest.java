package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which malformed frames close the connection and which leave it open (docs/PROTOCOL.md section
 * 4.3), and that an oversized frame is closed without any error frame (there is no {@code
 * too_large}), each observed over real TLS.
 */
class FrameRulesIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice");
    server = RelayServer.start(relayConfig(pki, dir));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String nested(int arrays) {
    return "{\"type\":\"ping\",\"x\":" + "[".repeat(arrays) + "]".repeat(arrays) + "}";
  }

  @Test
  void payloadThatIsNotOneJsonObject_getsMalformed_andTheConnectionIsClosed() throws Exception {
    Map<String, byte[]> fatal = new LinkedHashMap<>();
    fatal.put("empty frame", new byte[0]);
    fatal.put("byte-order mark", utf8("\ufeff{\"type\":\"ping\"}"));
    fatal.put("duplicate member", utf8("{\"type\":\"ping\",\"type\":\"who\"}"));
    fatal.put(
        "duplicate member inside an ignored member",
        utf8("{\"type\":\"ping\",\"x\":{\"a\":1,\"a\":2}}"));
    fatal.put("depth 9", utf8(nested(8)));
    fatal.put("array", utf8("[{\"type\":\"ping\"}]"));
    fatal.put("string", utf8("\"ping\""));
    fatal.put("not JSON", utf8("ping"));
    fatal.put("invalid UTF-8", new byte[] {'{', '"', (byte) 0xc3, '"', ':', '1', '}'});
    fatal.put("two objects", utf8("{\"type\":\"ping\"}{\"type\":\"ping\"}"));
    fatal.put("number of 33 digits", utf8("{\"type\":\"ping\",\"x\":" + "1".repeat(33) + "}"));

    for (var bad : fatal.entrySet()) {
      try (RawFrameClient c = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
        c.sendFrame(bad.getValue());
        Frame f = c.read();
        assertThat(f)
            .as(bad.getKey())
            .isInstanceOfSatisfying(
                Frame.Error.class,
                e -> assertThat(e.code()).as(bad.getKey()).isEqualTo(ErrorCode.MALFORMED));
        assertThat(c.closedWithin(Duration.ofSeconds(3))).as("%s closes", bad.getKey()).isTrue();
      }
    }
  }

  @Test
  void wellFormedObjectWithBadMembers_getsAnError_andTheConnectionStaysOpen() throws Exception {
    Map<String, ErrorCode> open = new LinkedHashMap<>();
    open.put(nested(7), null); // depth 8: accepted, answered with pong
    open.put("{\"type\":\"teleport\",\"ref\":\"a\"}", ErrorCode.UNKNOWN_TYPE);
    open.put("{\"ref\":\"b\"}", ErrorCode.MALFORMED);
    open.put("{\"type\":42}", ErrorCode.MALFORMED);
    open.put("{\"type\":\"send\",\"ref\":\"c\"}", ErrorCode.MALFORMED);
    open.put("{\"type\":\"send\",\"ref\":\"d\",\"envelope\":\"!!!\"}", ErrorCode.MALFORMED);
    open.put("{\"type\":\"directory\",\"ref\":\"e\",\"user\":[\"bob\"]}", ErrorCode.MALFORMED);
    open.put("{\"type\":\"send\",\"ref\":\"f\",\"envelope\":\"AAAA\"}", ErrorCode.BAD_ENVELOPE);

    try (RawFrameClient c = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      for (var bad : open.entrySet()) {
        c.sendFrame(utf8(bad.getKey()));
        Frame f = c.read();
        if (bad.getValue() == null) {
          assertThat(f).as(bad.getKey()).isInstanceOf(Frame.Pong.class);
        } else {
          assertThat(f)
              .as(bad.getKey())
              .isInstanceOfSatisfying(
                  Frame.Error.class,
                  e -> assertThat(e.code()).as(bad.getKey()).isEqualTo(bad.getValue()));
        }
      }
      c.send(new Frame.Ping("still"));
      assertThat(c.expect(Frame.Pong.class).ref()).isEqualTo("still");
    }
  }

  @Test
  void frameLongerThanMaxFrame_isClosedWithoutAnyErrorFrame() throws Exception {
    try (RawFrameClient c = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      byte[] big = new byte[ProtocolLimits.DEFAULT_MAX_FRAME + 1];
      Arrays.fill(big, (byte) ' ');
      c.sendFrame(big);
      boolean answered;
      try {
        c.read(Duration.ofSeconds(3));
        answered = true;
      } catch (IOException closed) {
        answered = false;
      }
      assertThat(answered).as("no frame at all, not even error too_large").isFalse();
    }
  }

  @Test
  void tooLarge_isNotAnErrorCode() {
    assertThat(ErrorCode.fromWire("too_large")).isNull();
  }
}
