package dev.ztchat.attacks;

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
 * A blocking attacker's client that speaks raw frames over real TLS: it can send any bytes,
 * including what no well-behaved client would, and observe exactly what the server answers or
 * whether it closed the connection. Uses the JDK's TLS (TLS 1.2/1.3) and trusts only the given CA.
 */
final class RawFrameClient implements AutoCloseable {
  private static final Duration DEFAULT_READ = Duration.ofSeconds(5);

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

  /** Connects as {@code user} and waits for the server's {@code welcome}. */
  static RawFrameClient welcomed(AttackTarget target, String user) throws Exception {
    Credential credential = target.user(user).signing();
    RawFrameClient c = null;
    try {
      c = connect(target, credential);
      c.welcome = c.expect(Frame.Welcome.class);
      return c;
    } catch (IOException | RuntimeException | MalformedFrameException e) {
      if (c != null) {
        c.close();
      }
      throw new CouldNotRunException("could not connect as " + user + " to " + target.host() + ":"
          + target.port() + ": " + e.getMessage());
    }
  }

  /**
   * Connects as {@code user}: the client past the server's {@code welcome}, or null when the
   * server completed the handshake and then refused the connection (an {@code error} or a close
   * instead of {@code welcome}, as over a connection cap). Any other failure throws.
   */
  static RawFrameClient welcomedOrRefused(AttackTarget target, String user) throws Exception {
    RawFrameClient c = connect(target, target.user(user).signing());
    try {
      Frame first = c.read(DEFAULT_READ);
      if (first instanceof Frame.Welcome w) {
        c.welcome = w;
        return c;
      }
      c.close();
      return null;
    } catch (SocketTimeoutException e) {
      c.close();
      throw new CouldNotRunException("the server neither welcomed nor refused a connection as " + user);
    } catch (IOException | MalformedFrameException e) {
      c.close();
      return null;
    }
  }

  /**
   * Connects and completes the TLS handshake, presenting {@code credential} as the client
   * certificate (none when null). With TLS 1.3 a refused client certificate shows only after this
   * returns, on the first read.
   */
  static RawFrameClient connect(AttackTarget target, Credential credential) throws IOException {
    SSLSocket s;
    try {
      s = (SSLSocket) context(credential, target.caCertificate()).getSocketFactory()
          .createSocket(target.host(), target.port());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up the attacker's TLS: " + e.getMessage(), e);
    }
    s.setTcpNoDelay(true);
    s.setSoTimeout((int) DEFAULT_READ.toMillis());
    try {
      s.startHandshake();
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new RawFrameClient(s);
  }

  private static SSLContext context(Credential credential, X509Certificate ca) throws GeneralSecurityException, IOException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = null;
    if (credential != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("me", credential.privateKey(), new char[0], new X509Certificate[] {credential.certificate()});
      kmf = KeyManagerFactory.getInstance("SunX509");
      kmf.init(ks, new char[0]);
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** The server's welcome (after {@link #welcomed}). */
  Frame.Welcome welcome() {
    return welcome;
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void sendFrame(byte[] payload) throws IOException {
    sendRaw(framed(payload));
  }

  void send(Frame frame) throws IOException {
    sendFrame(FrameCodec.encode(frame));
  }

  /** {@code payload} with its 4-byte big-endian length prefix. */
  static byte[] framed(byte[] payload) {
    byte[] b = new byte[payload.length + 4];
    b[0] = (byte) (payload.length >>> 24);
    b[1] = (byte) (payload.length >>> 16);
    b[2] = (byte) (payload.length >>> 8);
    b[3] = (byte) payload.length;
    System.arraycopy(payload, 0, b, 4, payload.length);
    return b;
  }

  /** Reads one frame within {@code timeout}; SocketTimeoutException if none, other IOException if closed. */
  Frame read(Duration timeout) throws IOException, MalformedFrameException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    int len = in.readInt();
    if (len < 0 || len > 1 << 20) {
      throw new IOException("the server sent an impossible frame length " + len);
    }
    byte[] payload = new byte[len];
    in.readFully(payload);
    return FrameCodec.decode(payload);
  }

  /** Reads frames until one of {@code type} arrives (at most 50 frames, 5 s each). */
  <T extends Frame> T expect(Class<T> type) throws IOException, MalformedFrameException {
    for (int i = 0; i < 50; i++) {
      Frame f = read(DEFAULT_READ);
      if (type.isInstance(f)) {
        return type.cast(f);
      }
    }
    throw new IOException("no " + type.getSimpleName() + " frame arrived");
  }

  /** A ping and its pong; returns the round trip in nanoseconds. */
  long pingRoundTrip(String ref) throws IOException, MalformedFrameException {
    long start = System.nanoTime();
    send(new Frame.Ping(ref));
    for (int i = 0; i < 50; i++) {
      if (read(DEFAULT_READ) instanceof Frame.Pong p && ref.equals(p.ref())) {
        return System.nanoTime() - start;
      }
    }
    throw new IOException("no pong for " + ref);
  }

  /** True when the server closed the connection within {@code timeout} (EOF, reset or TLS alert). */
  boolean closedWithin(Duration timeout) throws IOException {
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
  boolean silentFor(Duration timeout) throws IOException {
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
   * Returns when {@code ids} is empty or the time is up; the ids still in the set are not confirmed.
   */
  void ackOwn(Set<String> ids, Duration timeout) throws IOException {
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
  Frame answerTo(String ref, Duration timeout) throws IOException {
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
      if ((f instanceof Frame.Sent s && ref.equals(s.ref())) || (f instanceof Frame.Error e
          && (e.ref() == null || ref.equals(e.ref())))) {
        return f;
      }
    }
  }

  /** The message id (hex) in {@code envelope}'s header. */
  static String idOf(byte[] envelope) {
    try {
      return EnvelopeCodec.decodeHeader(envelope).messageIdHex();
    } catch (Exception e) {
      throw new IllegalStateException("an envelope the attack made does not parse", e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing an attacker's socket: nothing to report
    }
  }
}
