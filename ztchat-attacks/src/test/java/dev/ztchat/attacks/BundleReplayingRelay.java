package dev.ztchat.attacks;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A compromised relay in front of a real one that breaks the hand-out-once rule: it holds the
 * server's certificate and key and the CA's key, terminates each client's TLS, talks to the real
 * relay as the same user, passes every frame on, and answers every bundle that carries a one-time
 * prekey with the first one-time prekey it saw. Blocking sockets, two threads per connection; for
 * tests only.
 */
final class BundleReplayingRelay implements AutoCloseable {
  private final AttackTarget upstream;
  private final SSLServerSocket server;
  private final AtomicReference<Frame.PrekeyBundle> first = new AtomicReference<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  BundleReplayingRelay(AttackTarget upstream) throws Exception {
    this.upstream = upstream;
    Credential serverCredential = upstream.serverCredential();
    this.server =
        (SSLServerSocket)
            context(serverCredential, upstream.caCertificate())
                .getServerSocketFactory()
                .createServerSocket(0, 16, InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(true);
    acceptor = Thread.ofPlatform().daemon().name("replaying-relay").start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        SSLSocket client = (SSLSocket) server.accept();
        open.add(client);
        Thread.ofPlatform().daemon().start(() -> serve(client));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(SSLSocket client) {
    try (client) {
      client.startHandshake();
      X509Certificate peer = (X509Certificate) client.getSession().getPeerCertificates()[0];
      String user = CertificateVerifier.commonName(peer);
      try (RawFrameClient relay =
          RawFrameClient.connect(
              upstream.host(), upstream.port(), credentialOf(user), upstream.caCertificate())) {
        Thread up = Thread.ofPlatform().daemon().start(() -> forwardUp(client, relay));
        try {
          while (true) {
            Frame f = relay.read(Duration.ofSeconds(30));
            client.getOutputStream().write(RawFrameClient.framed(FrameCodec.encode(replay(f))));
            client.getOutputStream().flush();
          }
        } finally {
          up.interrupt();
        }
      }
    } catch (IOException | MalformedFrameException | RuntimeException e) {
      // either side went away: the connection ends, as with a real relay
    }
  }

  /** A one-time bundle becomes the first one-time bundle seen, under this request's ref. */
  private Frame replay(Frame f) {
    if (!(f instanceof Frame.PrekeyBundle b) || b.lastResort()) {
      return f;
    }
    Frame.PrekeyBundle seen = first.updateAndGet(old -> old == null ? b : old);
    return new Frame.PrekeyBundle(
        b.ref(),
        seen.user(),
        seen.device(),
        seen.certificate(),
        seen.signedPrekey(),
        seen.kemPrekey(),
        false);
  }

  private static void forwardUp(SSLSocket client, RawFrameClient relay) {
    byte[] buf = new byte[8192];
    try {
      InputStream in = client.getInputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        relay.sendRaw(java.util.Arrays.copyOf(buf, n));
      }
    } catch (IOException e) {
      // the client left
    } finally {
      relay.close();
    }
  }

  /** The user's signing credential from the certs folder, or one the CA mints (mallory). */
  private Credential credentialOf(String user) throws IOException {
    try {
      if (Files.isRegularFile(upstream.certs().signingCertificate(user))) {
        return upstream.user(user).signing();
      }
      return CertificateIssuer.issueLeaf(
          upstream.caCredential(),
          user,
          CertificateRole.USER_SIGNING,
          2048,
          Instant.now().minus(Duration.ofMinutes(5)),
          Duration.ofDays(1));
    } catch (CouldNotRunException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static SSLContext context(Credential credential, X509Certificate ca)
      throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "server",
        credential.privateKey(),
        new char[0],
        new X509Certificate[] {credential.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing a test relay: nothing to report
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // as above
      }
    }
    acceptor.interrupt();
  }
}
