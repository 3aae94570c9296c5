package dev.ztchat.server;

import static dev.ztchat.core.testkit.Polling.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and broken peers: oversized, malformed, stalled and idle connections, old TLS. */
class RelayLimitsIntegrationTest {
  @TempDir static Path dir;
  static TestPki pki;
  static RelayServer server;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir))
                .withPort(0)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(3)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  static void assertServes(RawFrameClient c) throws Exception {
    c.send(new Frame.Ping("alive"));
    assertThat(c.expect(Frame.Pong.class).ref()).isEqualTo("alive");
  }

  /** A ping padded with an ignored member to exactly {@code size} bytes of payload. */
  static byte[] pingOfSize(int size) {
    String head = "{\"type\":\"ping\",\"ref\":\"exact\",\"pad\":\"";
    String tail = "\"}";
    return (head + "x".repeat(size - head.length() - tail.length()) + tail)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void frameOverLimit_closesThatConnectionPromptly_whileAnotherClientKeepsWorking()
      throws Exception {
    long before = server.securityLog().count(SecurityEvent.FRAME_TOO_LARGE);
    try (RawFrameClient attacker = connect("alice");
        RawFrameClient bystander = connect("bob")) {
      // Only the length prefix and a few bytes: the server must not wait for the body.
      int over = ProtocolLimits.DEFAULT_MAX_FRAME + 1;
      attacker.sendRaw(
          new byte[] {
            (byte) (over >>> 24), (byte) (over >>> 16), (byte) (over >>> 8), (byte) over
          });
      attacker.sendRaw(new byte[] {'{', '"'});
      assertThat(attacker.closedWithin(Duration.ofSeconds(2))).isTrue();
      assertThat(server.securityLog().count(SecurityEvent.FRAME_TOO_LARGE)).isEqualTo(before + 1);
      assertServes(bystander);
    }
  }

  @Test
  void frameOfExactlyTheLimit_isAccepted() throws Exception {
    try (RawFrameClient c = connect("alice")) {
      int limit = ProtocolLimits.DEFAULT_MAX_FRAME;
      assertThat(limit).as("the default").isEqualTo(16384);
      byte[] payload = pingOfSize(limit);
      assertThat(payload).hasSize(limit);
      c.sendFrame(payload);
      assertThat(c.expect(Frame.Pong.class).ref()).isEqualTo("exact");
    }
  }

  @Test
  void frameOfOneByteOverTheLimit_isRefused() throws Exception {
    try (RawFrameClient c = connect("alice")) {
      c.sendFrame(pingOfSize(ProtocolLimits.DEFAULT_MAX_FRAME + 1));
      assertThat(c.closedWithin(Duration.ofSeconds(2))).isTrue();
    }
  }

  @Test
  void maximumLengthPrefix_closesConnection() throws Exception {
    try (RawFrameClient c = connect("alice")) {
      c.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      assertThat(c.closedWithin(Duration.ofSeconds(2))).isTrue();
    }
    try (RawFrameClient other = connect("bob")) {
      assertServes(other);
    }
  }

  @Test
  void malformedFrames_eachGetAnErrorOrAClose_andTheServerKeepsServingOthers() throws Exception {
    List<byte[]> corpus =
        List.of(
            new byte[0], // length 0
            "not json".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xc3, (byte) 0x28, '{', '}'}, // invalid UTF-8
            "{\"type\":\"ping\"".getBytes(StandardCharsets.UTF_8), // truncated JSON
            "[1,2,3]".getBytes(StandardCharsets.UTF_8),
            "{\"type\":42}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"teleport\"}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"send\"}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"send\",\"envelope\":12}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"send\",\"envelope\":\"!!!notbase64\"}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"send\",\"envelope\":\"AAAA\"}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"ping\",\"ref\":\"bad ref with spaces\"}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"ping\",\"type\":\"who\"}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"directory\",\"user\":[\"bob\"]}".getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"ping\",\"x\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]}"
                .getBytes(StandardCharsets.UTF_8),
            "{\"type\":\"directory\",\"user\":1e999999999}".getBytes(StandardCharsets.UTF_8),
            ("{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"bob\","
                    + "\"maxFrame\":1,\"idleTimeoutSeconds\":1}")
                .getBytes(StandardCharsets.UTF_8));
    try (RawFrameClient bystander = connect("bob")) {
      for (byte[] bad : corpus) {
        try (RawFrameClient c = connect("alice")) {
          c.sendFrame(bad);
          boolean answeredOrClosed;
          try {
            Frame f = c.read(Duration.ofSeconds(3));
            answeredOrClosed = f instanceof Frame.Error e && e.code() != ErrorCode.INTERNAL;
          } catch (IOException e) {
            answeredOrClosed = true; // closed
          }
          assertThat(answeredOrClosed)
              .as("answer to %s", new String(bad, StandardCharsets.UTF_8))
              .isTrue();
        }
        assertServes(bystander); // (also keeps it under the 2 s idle timeout)
      }
      assertServes(bystander);
    }
  }

  @Test
  void connectionThatSendsNothing_isTimedOut() throws Exception {
    long before = server.securityLog().count(SecurityEvent.IDLE_TIMEOUT);
    try (RawFrameClient c = connect("alice")) {
      assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(
            eventually(
                Duration.ofSeconds(2),
                () -> server.securityLog().count(SecurityEvent.IDLE_TIMEOUT) > before))
        .isTrue();
  }

  @Test
  void halfFrame_isTimedOut() throws Exception {
    long before = server.securityLog().count(SecurityEvent.FRAME_STALLED);
    try (RawFrameClient c = connect("alice")) {
      c.sendRaw(new byte[] {0, 0, 0, 100, '{', '"', 't'});
      assertThat(c.closedWithin(Duration.ofSeconds(4))).isTrue();
    }
    assertThat(server.securityLog().count(SecurityEvent.FRAME_STALLED)).isEqualTo(before + 1);
  }

  @Test
  void tcpConnectionThatNeverHandshakes_isClosed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(6000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void handshake_offeringOnlyTls11_isRefused() throws Exception {
    Assumptions.assumeTrue(
        OpenSsl.isAvailable(), "BoringSSL not available: cannot offer TLS 1.1 from this JVM");
    assertThat(handshake("TLSv1.2")).as("control: TLS 1.2 works").isTrue();
    assertThat(handshake("TLSv1.1")).isFalse();
    assertThat(handshake("TLSv1")).isFalse();
  }

  private static boolean handshake(String protocol) throws Exception {
    SslContext ctx =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.OPENSSL)
            .keyManager(
                pki.user("alice").signing().privateKey(), pki.user("alice").signing().certificate())
            .trustManager(pki.ca().certificate())
            .protocols(protocol)
            .build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // Kept here: a refused handshake can close the channel (and empty its pipeline) before we look.
    AtomicReference<SslHandler> tls = new AtomicReference<>();
    try {
      Channel ch =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                      SslHandler h = ctx.newHandler(c.alloc(), "localhost", server.port());
                      tls.set(h);
                      c.pipeline().addLast(h);
                    }
                  })
              .connect("127.0.0.1", server.port())
              .sync()
              .channel();
      Future<Channel> hs = tls.get().handshakeFuture();
      hs.await(5, TimeUnit.SECONDS);
      boolean ok = hs.isSuccess();
      ch.close().sync();
      return ok;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
