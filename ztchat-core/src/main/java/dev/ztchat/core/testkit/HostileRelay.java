package dev.ztchat.core.testkit;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.transport.FrameDecoder;
import dev.ztchat.core.transport.FrameEncoder;
import dev.ztchat.core.transport.TlsContexts;
import dev.ztchat.core.transport.TlsSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A compromised relay, for the end-to-end attacks and the client's tests against a hostile server:
 * it holds the real server certificate and key, so clients connect to it as to the real server. It
 * listens on 127.0.0.1 only.
 *
 * <p>Started with a certs folder ({@link #start}) it speaks the protocol (welcome, publish, who,
 * ping, directory, crl, send) and lets the caller capture envelopes, hold them back, inject any
 * bytes as a delivery, and answer directory requests with substitute certificates. Started {@link
 * #silent} it knows no one: it answers only ping, publish and ack, never a directory or
 * revocation-list request (so a client that opens a pushed envelope waits), may open with any first
 * frame instead of {@code welcome}, and pushes any bytes as frames, as fast as the client's socket
 * takes them ({@link #push}, {@link #flood}).
 */
public final class HostileRelay implements AutoCloseable {
  /** An envelope as a client sent it through this relay. */
  public record Captured(String from, byte[] envelope) {}

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<String, List<Channel>> online = new ConcurrentHashMap<>();
  private final Map<String, String[]> directory = new ConcurrentHashMap<>();
  private final Map<String, String[]> substitutes = new ConcurrentHashMap<>();
  private final BlockingQueue<Captured> captured = new LinkedBlockingQueue<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sends = new AtomicInteger();
  private volatile boolean forward = true;
  private final Channel serverChannel;

  private final String crl;

  /** False for a {@link #silent} relay. */
  private final boolean answersLookups;

  /** The payload of the first frame each connection gets; null for a genuine {@code welcome}. */
  private final byte[] firstFrame;

  /**
   * The first connection that completed its handshake: where {@link #push} and {@link #flood}
   * write.
   */
  private final CompletableFuture<Channel> firstClient = new CompletableFuture<>();

  private final AtomicInteger pushed = new AtomicInteger();
  private volatile byte[] floodFrame;
  private volatile int floodLeft;

  private HostileRelay(Credential server, X509Certificate ca, CertsLayout certs, byte[] firstFrame)
      throws IOException, InterruptedException {
    this.answersLookups = certs != null;
    this.firstFrame = firstFrame == null ? null : firstFrame.clone();
    var list = certs == null ? null : CrlFiles.read(certs.crl());
    this.crl = list == null ? null : PemFiles.toPem(list);
    for (String user : certs == null ? List.<String>of() : certs.userNames()) {
      directory.put(
          user,
          new String[] {
            PemFiles.toPem(PemFiles.readCertificate(certs.signingCertificate(user))),
            PemFiles.toPem(PemFiles.readCertificate(certs.encryptionCertificate(user)))
          });
    }
    var ssl = TlsContexts.server(server, trustOnly(ca), TlsSettings.provider());
    serverChannel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(ssl.newHandler(ch.alloc()))
                        .addLast(
                            new FrameDecoder(
                                ProtocolLimits.MAX_MAX_FRAME, ProtocolLimits.DEFAULT_FRAME_TIMEOUT))
                        .addLast(FrameEncoder.INSTANCE)
                        .addLast(new Handler());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  /**
   * Starts a relay with the real {@code server} credential, trusting client certificates of {@code
   * ca}, that serves the directory and revocation list of {@code certs}.
   */
  public static HostileRelay start(Credential server, X509Certificate ca, CertsLayout certs)
      throws IOException, InterruptedException {
    return new HostileRelay(server, ca, requireNonNull(certs, "certs"), null);
  }

  /**
   * Starts a relay that knows no one (see the class description); each connection's first frame is
   * {@code firstFrame} (a whole payload), or a genuine {@code welcome} when null.
   */
  public static HostileRelay silent(Credential server, X509Certificate ca, byte[] firstFrame)
      throws IOException, InterruptedException {
    return new HostileRelay(server, ca, null, firstFrame);
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Whether sent envelopes are passed on to their recipients (true) or only captured (false). */
  public void forwardSends(boolean on) {
    forward = on;
  }

  /** The next envelope a client sent, waiting up to {@code timeout}; null when none came. */
  public Captured nextCaptured(Duration timeout) throws InterruptedException {
    return captured.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many {@code send} frames clients have sent through this relay. */
  public int sendCount() {
    return sends.get();
  }

  /**
   * Delivers {@code envelope} (any bytes) to every live connection of {@code user}; returns how
   * many.
   */
  public int inject(String user, byte[] envelope) {
    List<Channel> targets = online.getOrDefault(user, List.of());
    targets.forEach(ch -> ch.writeAndFlush(new Frame.Deliver(envelope)));
    return targets.size();
  }

  /** From now on, answers directory requests for {@code user} with these PEM certificates. */
  public void substituteDirectory(String user, String signingPem, String encryptionPem) {
    substitutes.put(user, new String[] {signingPem, encryptionPem});
  }

  public boolean isOpen(String user) {
    return !online.getOrDefault(user, List.of()).isEmpty();
  }

  /** Pushes {@code payload} (any bytes) as one frame to the first connected client. */
  public void push(byte[] payload) throws Exception {
    Channel ch = firstClient.get(10, TimeUnit.SECONDS);
    ch.writeAndFlush(framed(payload)).sync();
  }

  /**
   * Pushes {@code count} copies of {@code payload} to the first connected client, each written only
   * when its socket takes more: when the client stops reading, the flood stops with it.
   */
  public void flood(byte[] payload, int count) throws Exception {
    Channel ch = firstClient.get(10, TimeUnit.SECONDS);
    floodFrame = payload.clone();
    floodLeft = count;
    ch.eventLoop().execute(() -> pump(ch));
  }

  /**
   * True when the flood has frames left but the client's socket takes no more: the client stopped
   * reading, and everything it did not take waits on this side.
   */
  public boolean stalled() {
    Channel ch = firstClient.getNow(null);
    return ch != null && floodLeft > 0 && !ch.isWritable();
  }

  /** Frames of the flood the socket has taken so far. */
  public int pushed() {
    return pushed.get();
  }

  @SuppressWarnings("NonAtomicVolatileUpdate") // only the event loop decrements it
  private void pump(Channel ch) {
    while (floodLeft > 0 && ch.isActive() && ch.isWritable()) {
      floodLeft--;
      ch.writeAndFlush(framed(floodFrame))
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  pushed.incrementAndGet();
                }
              });
    }
  }

  private static ByteBuf framed(byte[] payload) {
    return Unpooled.buffer(4 + payload.length).writeInt(payload.length).writeBytes(payload);
  }

  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    online.values().forEach(list -> list.forEach(Channel::close));
    firstClient.thenAccept(Channel::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  private static TrustManager trustOnly(X509Certificate ca) throws IOException {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      return tmf.getTrustManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up the hostile relay's TLS: " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code user} acknowledged {@code sender}'s envelope {@code messageIdHex} and was told
   * it was deleted: from then on the client treats another copy as a replay, not a redelivery.
   */
  public boolean acknowledged(String user, String sender, String messageIdHex) {
    return acknowledged.contains(user + " " + sender + " " + messageIdHex);
  }

  /** One connection: the protocol, with the attack's hooks. */
  private final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
    private String identity;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        if (!done.isSuccess()) {
          ctx.close();
          return;
        }
        X509Certificate peer =
            (X509Certificate)
                ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates()[0];
        identity = Certificates.commonName(peer);
        online.computeIfAbsent(identity, k -> new CopyOnWriteArrayList<>()).add(ctx.channel());
        ctx.channel()
            .closeFuture()
            .addListener(f -> online.getOrDefault(identity, List.of()).remove(ctx.channel()));
        if (firstFrame != null) {
          ctx.writeAndFlush(framed(firstFrame));
        } else {
          ctx.writeAndFlush(
              new Frame.Welcome(
                  ProtocolLimits.PROTOCOL_VERSION,
                  identity,
                  ProtocolLimits.DEFAULT_MAX_FRAME,
                  (int) ProtocolLimits.DEFAULT_IDLE_TIMEOUT.toSeconds()));
        }
        firstClient.complete(ctx.channel());
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    @SuppressWarnings("ReferenceEquality") // the very connection, not an equal one
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      if (firstClient.getNow(null) == ctx.channel()) {
        pump(ctx.channel());
      }
      super.channelWritabilityChanged(ctx);
    }

    /** Confirms an acknowledgement, like a real relay once it deleted its copy. */
    private void confirm(ChannelHandlerContext ctx, Frame.Ack a) {
      ctx.writeAndFlush(new Frame.Ok(a.ref()))
          .addListener(f -> acknowledged.add(identity + " " + a.sender() + " " + a.messageId()));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf payload) {
      Frame frame;
      try {
        frame = FrameCodec.decode(ByteBufUtil.getBytes(payload));
      } catch (MalformedFrameException e) {
        if (answersLookups) {
          ctx.writeAndFlush(new Frame.Error(e.ref(), e.code(), e.getMessage()));
        }
        return;
      }
      if (!answersLookups) {
        switch (frame) {
          case Frame.Ping p -> ctx.writeAndFlush(new Frame.Pong(p.ref()));
          case Frame.Publish p -> ctx.writeAndFlush(new Frame.Ok(p.ref()));
          case Frame.Ack a -> confirm(ctx, a);
          default -> {} // directory, crl, send: never answered
        }
        return;
      }
      switch (frame) {
        case Frame.Ping p -> ctx.writeAndFlush(new Frame.Pong(p.ref()));
        case Frame.Who w ->
            ctx.writeAndFlush(
                new Frame.Online(w.ref(), online.keySet().stream().sorted().toList()));
        case Frame.Publish p -> {
          String[] known = directory.computeIfAbsent(identity, k -> new String[2]);
          known[1] = p.encryption();
          ctx.writeAndFlush(new Frame.Ok(p.ref()));
        }
        case Frame.DirectoryRequest d -> {
          String[] c = substitutes.getOrDefault(d.user(), directory.get(d.user()));
          ctx.writeAndFlush(
              c == null || c[0] == null || c[1] == null
                  ? new Frame.Error(
                      d.ref(), ErrorCode.UNKNOWN_USER, "no certificates known for that user")
                  : new Frame.Certificates(d.ref(), d.user(), c[0], c[1]));
        }
        case Frame.Send s -> relay(ctx, s);
        // Like a real relay: it confirms acknowledgements and hands out the CA's signed CRL (which
        // it cannot forge); withholding either only makes clients more careful, never less.
        case Frame.Ack a -> confirm(ctx, a);
        case Frame.CrlRequest c ->
            ctx.writeAndFlush(
                crl == null
                    ? new Frame.Error(c.ref(), ErrorCode.NO_CRL, "no revocation list")
                    : new Frame.Revocations(c.ref(), crl));
        default ->
            ctx.writeAndFlush(
                new Frame.Error(null, ErrorCode.UNKNOWN_TYPE, "not accepted from clients"));
      }
    }

    private void relay(ChannelHandlerContext ctx, Frame.Send s) {
      sends.incrementAndGet();
      EnvelopeHeader header;
      try {
        header = EnvelopeCodec.decodeHeader(s.envelope());
      } catch (MalformedEnvelopeException e) {
        ctx.writeAndFlush(new Frame.Error(s.ref(), ErrorCode.BAD_ENVELOPE, "envelope rejected"));
        return;
      }
      captured.add(new Captured(identity, s.envelope()));
      List<Frame.Delivery> results = new ArrayList<>();
      for (String r : header.recipients()) {
        if (forward) {
          inject(r, s.envelope());
        }
        results.add(
            new Frame.Delivery(
                r, DeliveryStatus.DELIVERED)); // a lie when holding back: it is hostile
      }
      ctx.writeAndFlush(new Frame.Sent(s.ref(), header.messageIdHex(), results));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
