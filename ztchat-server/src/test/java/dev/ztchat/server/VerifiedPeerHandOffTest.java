package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.transport.TlsContexts;
import dev.ztchat.core.transport.TlsSettings;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real TLS handshake (the relay's TLS stack, in memory): the certificate the trust manager
 * checked is the one the session starts with, and the TLS session keeps no reference to it
 * afterwards.
 */
class VerifiedPeerHandOffTest {
  static TestPki pki;

  @TempDir Path dir;
  RelayContextFixture fixture;

  @BeforeAll
  static void pki() {
    pki = TestPki.create("alice");
  }

  @BeforeEach
  void setUp() throws Exception {
    fixture = new RelayContextFixture(pki, dir, Clock.systemUTC(), c -> c);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void acceptedHandshake_startsTheSessionWithTheCertificateTheTrustManagerChecked()
      throws Exception {
    Checked checked =
        new Checked(
            new ClientCertificateTrustManager(
                new CertificateVerifier(pki.ca().certificate()),
                Clock.systemUTC(),
                cert -> Optional.empty()));
    List<SessionStartHandler.VerifiedPeer> started = new ArrayList<>();
    Counter ok = IdentityBindingHandler.handshakesOk(fixture.relay);
    EmbeddedChannel server =
        new EmbeddedChannel(
            TlsContexts.server(pki.server(), checked, TlsSettings.provider())
                .newHandler(ByteBufAllocator.DEFAULT),
            new IdentityBindingHandler(fixture.relay, ok),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SessionStartHandler.VerifiedPeer peer) {
                  started.add(peer);
                }
              }
            });
    EmbeddedChannel client =
        new EmbeddedChannel(
            TlsContexts.client(
                    pki.user("alice").signing(), pki.ca().certificate(), TlsSettings.provider())
                .newHandler(ByteBufAllocator.DEFAULT, "localhost", 8443));

    shuttle(client, server);

    assertThat(started).hasSize(1);
    assertThat(started.getFirst().identity()).isEqualTo("alice");
    assertThat(started.getFirst().certificate())
        .as("the very object the trust manager checked, not a second parse")
        .isSameAs(checked.leaf);
    assertThat(started.getFirst().certificate())
        .isEqualTo(pki.user("alice").signing().certificate());
    assertThat(started.getFirst().checkedInHandshake())
        .as("marked as checked in the handshake: the directory does not check it again")
        .isTrue();
    assertThat(ok.count()).isEqualTo(1.0);
    assertThat(
            VerifiedPeerHandOff.take(server.pipeline().get(SslHandler.class).engine().getSession()))
        .as("taken from the session: the session does not keep it for the connection's life")
        .isEmpty();
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
  }

  /** Moves the bytes each side wrote to the other until neither writes any more. */
  private static void shuttle(EmbeddedChannel client, EmbeddedChannel server) {
    for (int round = 0; round < 50; round++) {
      boolean toServer = move(client, server);
      boolean toClient = move(server, client);
      boolean moved = toServer || toClient;
      client.runPendingTasks();
      server.runPendingTasks();
      if (!moved && client.outboundMessages().isEmpty() && server.outboundMessages().isEmpty()) {
        return;
      }
    }
  }

  private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (ByteBuf b = from.readOutbound(); b != null; b = from.readOutbound()) {
      to.writeInbound(b);
      moved = true;
    }
    return moved;
  }

  /** The relay's trust manager, remembering the leaf it was asked about. */
  private static final class Checked extends X509ExtendedTrustManager {
    private final ClientCertificateTrustManager next;
    X509Certificate leaf;

    Checked(ClientCertificateTrustManager next) {
      this.next = next;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      leaf = chain[0];
      next.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("not used");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("not used");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      next.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      next.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      next.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return next.getAcceptedIssuers();
    }
  }
}
