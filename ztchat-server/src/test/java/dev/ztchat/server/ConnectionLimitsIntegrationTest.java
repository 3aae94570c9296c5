package dev.ztchat.server;

import static dev.ztchat.core.testkit.Polling.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection caps: per identity, in all (with room kept for newcomers), and per address before
 * TLS.
 */
class ConnectionLimitsIntegrationTest {
  @TempDir static Path dir;
  static TestPki pki;

  @BeforeAll
  static void pki() {
    pki = TestPki.create("alice", "bob", "carol");
  }

  @AfterAll
  static void forget() {
    pki = null;
  }

  RelayServer start(String name, ConnectionLimits limits) throws Exception {
    return RelayServer.start(
        RelayServerConfig.defaults(pki.writeTo(dir.resolve(name)))
            .withPort(0)
            .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(60))
            .withConnectionLimits(limits));
  }

  static RawFrameClient welcomed(RelayServer server, String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  /** The handshake succeeds (the certificate is fine), then the relay says why and closes. */
  static Frame.Error refusedAfterHandshake(RelayServer server, String user) throws Exception {
    try (RawFrameClient c =
        RawFrameClient.connect(server.port(), pki.user(user).signing(), pki.ca().certificate())) {
      Frame first = c.read(Duration.ofSeconds(5));
      assertThat(first)
          .as("the first frame of a refused connection")
          .isInstanceOf(Frame.Error.class);
      assertThat(c.closedWithin(Duration.ofSeconds(5)))
          .as("the refused connection is closed")
          .isTrue();
      return (Frame.Error) first;
    }
  }

  @Test
  void connectionOverThePerIdentityCap_isRefused_whileAnotherIdentityConnectsAndChats()
      throws Exception {
    List<RawFrameClient> open = new ArrayList<>();
    try (RelayServer server = start("per-identity", new ConnectionLimits(3, 100, 32))) {
      for (int i = 0; i < 3; i++) {
        open.add(welcomed(server, "alice"));
      }
      long before = server.securityLog().count(SecurityEvent.TOO_MANY_CONNECTIONS);

      Frame.Error refused = refusedAfterHandshake(server, "alice");

      assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(refused.message()).contains("too many connections for alice").contains("limit 3");
      assertThat(server.securityLog().count(SecurityEvent.TOO_MANY_CONNECTIONS))
          .isEqualTo(before + 1);
      try (RawFrameClient bob = welcomed(server, "bob")) {
        bob.send(new Frame.Send("hi", RelayTestSupport.envelope("bob", "alice")));
        assertThat(bob.expect(Frame.Sent.class).ref()).isEqualTo("hi");
        assertThat(open.get(0).expect(Frame.Deliver.class)).isNotNull();
      }
      for (RawFrameClient c : open) {
        c.send(new Frame.Ping("still"));
        assertThat(c.expect(Frame.Pong.class).ref())
            .as("alice's earlier connections are untouched")
            .isEqualTo("still");
      }

      open.remove(2).close();
      assertThat(
              eventually(
                  Duration.ofSeconds(5),
                  () -> {
                    try (RawFrameClient again = welcomed(server, "alice")) {
                      return true;
                    } catch (Exception | AssertionError e) {
                      return false;
                    }
                  }))
          .as("a closed connection frees its slot")
          .isTrue();
    } finally {
      for (RawFrameClient c : open) {
        c.close();
      }
    }
  }

  @Test
  void frameSentRightAfterTheHandshakeOfARefusedConnection_isNotServed() throws Exception {
    try (RelayServer server = start("refused-sends", new ConnectionLimits(1, 100, 32));
        RawFrameClient first = welcomed(server, "alice");
        RawFrameClient bob = welcomed(server, "bob");
        RawFrameClient second =
            RawFrameClient.connect(
                server.port(), pki.user("alice").signing(), pki.ca().certificate())) {
      second.send(new Frame.Send("sneak", RelayTestSupport.envelope("alice", "bob")));

      assertThat(second.read(Duration.ofSeconds(5))).isInstanceOf(Frame.Error.class);
      assertThat(second.closedWithin(Duration.ofSeconds(5))).isTrue();
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofMillis(500))).isTrue();
    }
  }

  @Test
  void lastSlotsOfTheGlobalCap_goToIdentitiesBelowTheirFairShare() throws Exception {
    // 10 in all, the last 1 kept: 9 open slots, fair share with 2 identities online is 4.
    List<RawFrameClient> open = new ArrayList<>();
    try (RelayServer server = start("global", new ConnectionLimits(5, 10, 32))) {
      for (int i = 0; i < 5; i++) {
        open.add(welcomed(server, "alice"));
      }
      for (int i = 0; i < 4; i++) {
        open.add(welcomed(server, "carol"));
      }

      assertThat(refusedAfterHandshake(server, "carol").message()).contains("connection limit");
      open.add(welcomed(server, "bob"));
      assertThat(refusedAfterHandshake(server, "bob").message()).contains("connection limit");
      assertThat(server.securityLog().count(SecurityEvent.TOO_MANY_CONNECTIONS)).isEqualTo(2);
    } finally {
      for (RawFrameClient c : open) {
        c.close();
      }
    }
  }

  @Test
  void unfinishedHandshakesOverThePerAddressLimit_closeOnlyTheNewOne_whileOtherAddressesConnect()
      throws Exception {
    InetAddress attacker = InetAddress.getByName("127.0.0.2");
    List<Socket> stalled = new ArrayList<>();
    try (RelayServer server = start("per-address", new ConnectionLimits(8, 100, 4))) {
      for (int i = 0; i < 4; i++) {
        stalled.add(tcpFrom(attacker, server.port()));
      }
      // The relay counts a connection once it has accepted it: wait until all four are counted.
      Socket probe = stalled.get(3);
      assertThat(closedWithin(probe, Duration.ofMillis(300))).isFalse();
      long before = server.securityLog().count(SecurityEvent.TOO_MANY_HANDSHAKES);

      try (Socket fifth = tcpFrom(attacker, server.port())) {
        assertThat(closedWithin(fifth, Duration.ofSeconds(5)))
            .as("the fifth unfinished handshake is closed")
            .isTrue();
      }

      assertThat(server.securityLog().count(SecurityEvent.TOO_MANY_HANDSHAKES))
          .isEqualTo(before + 1);
      for (Socket s : stalled) {
        assertThat(closedWithin(s, Duration.ofMillis(50)))
            .as("the earlier ones stay (the handshake timeout is 60 s)")
            .isFalse();
      }
      try (RawFrameClient bob = welcomed(server, "bob")) {
        bob.send(new Frame.Ping("other-address"));
        assertThat(bob.expect(Frame.Pong.class).ref()).isEqualTo("other-address");
      }
      stalled.remove(0).close();
      assertThat(
              eventually(
                  Duration.ofSeconds(5),
                  () -> {
                    try (Socket again = tcpFrom(attacker, server.port())) {
                      return !closedWithin(again, Duration.ofMillis(300));
                    } catch (IOException e) {
                      return false;
                    }
                  }))
          .as("a closed socket frees its address's slot")
          .isTrue();
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  static Socket tcpFrom(InetAddress local, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(local, 0));
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    return s;
  }

  static boolean closedWithin(Socket s, Duration timeout) {
    try {
      s.setSoTimeout((int) timeout.toMillis());
      InputStream in = s.getInputStream();
      while (in.read() != -1) {
        // drain until the relay closes
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
