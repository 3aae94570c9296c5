package dev.ztchat.server;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A blocking test client that speaks raw frames over real TLS: it can send anything, including
 * bytes no well-behaved client would, and observe exactly what the server answers or whether it
 * closed the connection.
 */
final class RawTlsClient implements AutoCloseable {
  private final SSLSocket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawTlsClient(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects with {@code credential} as client certificate (or none when null). */
  static RawTlsClient connect(int port, Credential credential, X509Certificate trustedCa, String... protocols)
      throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = null;
    if (credential != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("me", credential.privateKey(), new char[0], new X509Certificate[] {credential.certificate()});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", trustedCa);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    if (protocols.length > 0) {
      s.setEnabledProtocols(protocols);
    }
    s.setSoTimeout(5000);
    s.startHandshake();
    return new RawTlsClient(s);
  }

  synchronized void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  synchronized void sendFrame(byte[] payload) throws IOException {
    byte[] prefix = {
      (byte) (payload.length >>> 24), (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length
    };
    out.write(prefix);
    out.write(payload);
    out.flush();
  }

  void send(Frame frame) throws IOException {
    sendFrame(FrameCodec.encode(frame));
  }

  /** Reads one frame, waiting at most {@code timeout}; throws SocketTimeoutException if none. */
  Frame read(Duration timeout) throws IOException, MalformedFrameException {
    socket.setSoTimeout((int) timeout.toMillis());
    int len = in.readInt();
    byte[] payload = new byte[len];
    in.readFully(payload);
    return FrameCodec.decode(payload);
  }

  Frame read() throws IOException, MalformedFrameException {
    return read(Duration.ofSeconds(5));
  }

  /** Reads frames until one of {@code type} arrives. */
  <T extends Frame> T expect(Class<T> type) throws IOException, MalformedFrameException {
    for (int i = 0; i < 20; i++) {
      Frame f = read();
      if (type.isInstance(f)) {
        return type.cast(f);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " frame arrived");
  }

  /** True when the server closed the connection within {@code timeout} (EOF or reset). */
  boolean closedWithin(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    try {
      while (true) {
        int len = in.readInt();
        in.skipNBytes(len);
      }
    } catch (EOFException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset or TLS alert: closed
    }
  }

  /** True when nothing arrives within {@code timeout} and the connection is still open. */
  boolean silentFor(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    try {
      in.readInt();
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
