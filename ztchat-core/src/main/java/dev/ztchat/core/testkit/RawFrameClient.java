package dev.ztchat.core.testkit;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A blocking client that speaks raw frames over real TLS, for tests and attack simulations: it can
 * send any bytes, including what no well-behaved client would, and observe exactly what the relay
 * answers or whether it closed the connection. Uses the JDK's TLS and trusts only the given CA. Not
 * thread-safe for reading; writes are serialised.
 */
public final class RawFrameClient implements AutoCloseable {
  private static final Duration DEFAULT_READ = Duration.ofSeconds(5);

  /** Larger than any frame a relay may send; a longer prefix means the stream is out of step. */
  private static final int MAX_READ_LENGTH = 1 << 20;

  private final SSLSocket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private Frame.Welcome welcome;
  private int acks;

  private RawFrameClient(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** {@link #connect(String, int, Credential, X509Certificate, String...)} to 127.0.0.1. */
  public static RawFrameClient connect(
      int port, Credential credential, X509Certificate trustedCa, String... protocols)
      throws IOException {
    return connect("127.0.0.1", port, credential, trustedCa, protocols);
  }

  /**
   * Connects and completes the TLS handshake, presenting {@code credential} as the client
   * certificate (none when null) and offering only {@code protocols} when any are given. With TLS
   * 1.3 a refused client certificate shows only after this returns, on the first read.
   */
  public static RawFrameClient connect(
      String host, int port, Credential credential, X509Certificate trustedCa, String... protocols)
      throws IOException {
    SSLSocket s;
    try {
      s = (SSLSocket) context(credential, trustedCa).getSocketFactory().createSocket(host, port);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up the client's TLS: " + e.getMessage(), e);
    }
    try {
      if (protocols.length > 0) {
        s.setEnabledProtocols(protocols);
      }
      s.setSoTimeout((int) DEFAULT_READ.toMillis());
      s.startHandshake();
      return new RawFrameClient(s);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Connects as the owner of {@code credential} and reads up to the relay's {@code welcome}. */
  public static RawFrameClient connectWelcomed(
      String host, int port, Credential credential, X509Certificate trustedCa)
      throws IOException, MalformedFrameException {
    RawFrameClient c = connect(host, port, credential, trustedCa);
    try {
      c.welcome = c.expect(Frame.Welcome.class);
      return c;
    } catch (IOException | MalformedFrameException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * The client past the relay's {@code welcome}, or null when the relay completed the handshake and
   * then refused the connection (an {@code error} or a close instead of {@code welcome}, as over a
   * connection cap). Throws SocketTimeoutException when it did neither.
   */
  public static RawFrameClient connectWelcomedOrRefused(
      String host, int port, Credential credential, X509Certificate trustedCa) throws IOException {
    RawFrameClient c = connect(host, port, credential, trustedCa);
    try {
      if (c.read(DEFAULT_READ) instanceof Frame.Welcome w) {
        c.welcome = w;
        return c;
      }
      c.close();
      return null;
    } catch (SocketTimeoutException e) {
      c.close();
      throw e;
    } catch (IOException | MalformedFrameException e) {
      c.close();
      return null;
    }
  }

  private static SSLContext context(Credential credential, X509Certificate ca)
      throws GeneralSecurityException, IOException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = null;
    if (credential != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "me",
          credential.privateKey(),
          new char[0],
          new X509Certificate[] {credential.certificate()});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * Sends each write at once (no Nagle), for round-trip measurements; returns this client. Set
   * after the handshake, which keeps Nagle: with it the client's TLS 1.3 certificate and finished
   * messages leave together, so a refused certificate shows as the relay's alert on the first read
   * rather than as a broken pipe in the handshake.
   */
  public RawFrameClient withNoDelay() throws IOException {
    socket.setTcpNoDelay(true);
    return this;
  }

  /** The certificate the server presented in this connection's handshake. */
  public X509Certificate serverCertificate() throws IOException {
    return (X509Certificate) socket.getSession().getPeerCertificates()[0];
  }

  /** The relay's welcome (after {@link #connectWelcomed} or {@link #connectWelcomedOrRefused}). */
  public Frame.Welcome welcome() {
    return welcome;
  }

  public synchronized void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void sendFrame(byte[] payload) throws IOException {
    sendRaw(framed(payload));
  }

  public void send(Frame frame) throws IOException {
    sendFrame(FrameCodec.encode(frame));
  }

  /** {@code payload} with its 4-byte big-endian length prefix. */
  public static byte[] framed(byte[] payload) {
    byte[] b = new byte[payload.length + 4];
    b[0] = (byte) (payload.length >>> 24);
    b[1] = (byte) (payload.length >>> 16);
    b[2] = (byte) (payload.length >>> 8);
    b[3] = (byte) payload.length;
    System.arraycopy(payload, 0, b, 4, payload.length);
    return b;
  }

  /**
   * Reads one frame within {@code timeout}; SocketTimeoutException if none, another IOException if
   * the connection was closed.
   */
  public Frame read(Duration timeout) throws IOException, MalformedFrameException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    int len = in.readInt();
    if (len < 0 || len > MAX_READ_LENGTH) {
      throw new IOException("the server sent an impossible frame length " + len);
    }
    byte[] payload = new byte[len];
    in.readFully(payload);
    return FrameCodec.decode(payload);
  }

  /** Reads one frame within 5 seconds. */
  public Frame read() throws IOException, MalformedFrameException {
    return read(DEFAULT_READ);
  }

  /** Reads frames until one of {@code type} arrives (at most 50 frames, 5 s each). */
  public <T extends Frame> T expect(Class<T> type) throws IOException, MalformedFrameException {
    for (int i = 0; i < 50; i++) {
      Frame f = read(DEFAULT_READ);
      if (type.isInstance(f)) {
        return type.cast(f);
      }
    }
    throw new IOException("no " + type.getSimpleName() + " frame arrived");
  }

  /** A ping and its pong; returns the round trip in nanoseconds. */
  public long pingRoundTrip(String ref) throws IOException, MalformedFrameException {
    long start = System.nanoTime();
    send(new Frame.Ping(ref));
    for (int i = 0; i < 50; i++) {
      if (read(DEFAULT_READ) instanceof Frame.Pong p && ref.equals(p.ref())) {
        return System.nanoTime() - start;
      }
    }
    throw new IOException("no pong for " + ref);
  }

  /**
   * Closes the sending side only (TLS close_notify, then TCP FIN) and keeps reading, so a test can
   * see the relay close its side ({@link #closedWithin}) once it has noticed this client is gone.
   */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /**
   * True when the server closed the connection within {@code timeout} (EOF, reset or TLS alert).
   */
  public boolean closedWithin(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
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
      return true;
    }
  }

  /** True when nothing arrives within {@code timeout} and the connection is still open. */
  public boolean silentFor(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      int len = in.readInt();
      in.skipNBytes(len); // consume the whole frame, so later reads stay in step
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads for up to {@code timeout}, acknowledging each delivered envelope whose message id is in
   * {@code ids} and leaving every other delivery unacknowledged, so a real user's messages stay
   * queued for them. An id leaves the set when the relay confirmed its deletion ({@code ok}).
   * Returns when {@code ids} is empty or the time is up; the ids still in the set are not
   * confirmed.
   */
  public void ackOwn(Set<String> ids, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, String> pending = new HashMap<>();
    while (!ids.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Frame f;
      try {
        f = read(Duration.ofNanos(Math.max(1_000_000, left)));
      } catch (SocketTimeoutException e) {
        return;
      } catch (MalformedFrameException e) {
        continue;
      }
      if (f instanceof Frame.Ok ok && pending.containsKey(ok.ref())) {
        ids.remove(pending.remove(ok.ref()));
      } else if (f instanceof Frame.Deliver d) {
        EnvelopeHeader h;
        try {
          h = EnvelopeCodec.decodeHeader(d.envelope());
        } catch (RuntimeException | MalformedEnvelopeException e) {
          continue;
        }
        if (ids.contains(h.messageIdHex())) {
          String ref = "ack" + (++acks);
          pending.put(ref, h.messageIdHex());
          send(new Frame.Ack(ref, h.sender(), h.messageIdHex()));
        }
      }
    }
  }

  /**
   * The relay's answer to the request {@code ref} ({@code sent} or {@code error} with that ref, or
   * an {@code error} without one) within {@code timeout}, skipping deliveries of other messages;
   * null when there was none.
   */
  public Frame answerTo(String ref, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Frame f;
      try {
        f = read(Duration.ofNanos(Math.max(1_000_000, left)));
      } catch (SocketTimeoutException e) {
        return null;
      } catch (MalformedFrameException e) {
        continue;
      }
      if ((f instanceof Frame.Sent s && ref.equals(s.ref()))
          || (f instanceof Frame.Error e && (e.ref() == null || ref.equals(e.ref())))) {
        return f;
      }
    }
  }

  /** The message id (hex) in {@code envelope}'s header. */
  public static String idOf(byte[] envelope) {
    try {
      return EnvelopeCodec.decodeHeader(envelope).messageIdHex();
    } catch (MalformedEnvelopeException | RuntimeException e) {
      throw new IllegalStateException("an envelope made for a test does not parse", e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a test client's socket: nothing to report
    }
  }
}
