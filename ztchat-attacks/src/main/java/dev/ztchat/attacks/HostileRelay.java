package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlIssuer;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A compromised relay for the end-to-end attacks: it holds the real server certificate and key,
 * so clients connect to it as to the real server, speaks the protocol (welcome, publish, who,
 * ping, directory, send) and lets the attack capture envelopes, hold them back, inject any bytes
 * as a delivery, and answer directory requests with substitute certificates. It listens on
 * 127.0.0.1 only.
 */
final class HostileRelay implements AutoCloseable {
  /** An envelope as a client sent it through this relay. */
  record Captured(String from, byte[] envelope) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<String, List<Channel>> online = new ConcurrentHashMap<>();
  private final Map<String, String[]> directory = new ConcurrentHashMap<>();
  private final Map<String, String[]> substitutes = new ConcurrentHashMap<>();
  private final BlockingQueue<Captured> captured = new LinkedBlockingQueue<>();
  private final AtomicInteger sends = new AtomicInteger();
  private volatile boolean forward = true;
  private final Channel serverChannel;

  private final String crl;

  private HostileRelay(Credential server, X509Certificate ca, CertsLayout certs) throws IOException, InterruptedException {
    var list = CrlFiles.read(certs.crl());
    this.crl = list == null ? null : CrlIssuer.toPem(list);
    for (String user : certs.userNames()) {
      directory.put(user, new String[] {
          PemFiles.toPem(PemFiles.readCertificate(certs.signingCertificate(user))),
          PemFiles.toPem(PemFiles.readCertificate(certs.encryptionCertificate(user)))});
    }
    var ssl = TlsContexts.server(server, trustOnly(ca), TlsSettings.provider());
    serverChannel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(ssl.newHandler(ch.alloc()))
                .addLast(new FrameDecoder(ProtocolLimits.MAX_MAX_FRAME, ProtocolLimits.DEFAULT_FRAME_TIMEOUT))
                .addLast(FrameEncoder.INSTANCE)
                .addLast(new Handler());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .sync()
        .channel();
  }

  /** Starts a hostile relay with the target's server credential and certs folder. */
  static HostileRelay start(AttackTarget target) throws Exception {
    return new HostileRelay(target.serverCredential(), target.caCertificate(), target.certs());
  }

  int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Whether sent envelopes are passed on to their recipients (true) or only captured (false). */
  void forwardSends(boolean on) {
    forward = on;
  }

  /** The next envelope a client sent, waiting up to {@code timeout}. */
  Captured nextCaptured(Duration timeout) throws InterruptedException, CouldNotRunException {
    Captured c = captured.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (c == null) {
      throw new CouldNotRunException("no envelope reached the hostile relay within " + timeout.toSeconds() + " s");
    }
    return c;
  }

  /** How many {@code send} frames clients have sent through this relay. */
  int sendCount() {
    return sends.get();
  }

  /** Delivers {@code envelope} (any bytes) to every live connection of {@code user}; returns how many. */
  int inject(String user, byte[] envelope) {
    List<Channel> targets = online.getOrDefault(user, List.of());
    targets.forEach(ch -> ch.writeAndFlush(new Frame.Deliver(envelope)));
    return targets.size();
  }

  /** From now on, answers directory requests for {@code user} with these PEM certificates. */
  void substituteDirectory(String user, String signingPem, String encryptionPem) {
    substitutes.put(user, new String[] {signingPem, encryptionPem});
  }

  boolean isOpen(String user) {
    return !online.getOrDefault(user, List.of()).isEmpty();
  }

  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    online.values().forEach(list -> list.forEach(Channel::close));
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  private static TrustManager trustOnly(X509Certificate ca) throws IOException {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      return tmf.getTrustManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up the hostile relay's TLS: " + e.getMessage(), e);
    }
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
            (X509Certificate) ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates()[0];
        identity = Certificates.commonName(peer);
        online.computeIfAbsent(identity, k -> new CopyOnWriteArrayList<>()).add(ctx.channel());
        ctx.channel().closeFuture().addListener(f -> online.getOrDefault(identity, List.of()).remove(ctx.channel()));
        ctx.writeAndFlush(new Frame.Welcome(ProtocolLimits.PROTOCOL_VERSION, identity,
            ProtocolLimits.DEFAULT_MAX_FRAME, (int) ProtocolLimits.DEFAULT_IDLE_TIMEOUT.toSeconds()));
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf payload) {
      Frame frame;
      try {
        frame = FrameCodec.decode(ByteBufUtil.getBytes(payload));
      } catch (MalformedFrameException e) {
        ctx.writeAndFlush(new Frame.Error(e.ref(), e.code(), e.getMessage()));
        return;
      }
      switch (frame) {
        case Frame.Ping p -> ctx.writeAndFlush(new Frame.Pong(p.ref()));
        case Frame.Who w -> ctx.writeAndFlush(new Frame.Online(w.ref(), online.keySet().stream().sorted().toList()));
        case Frame.Publish p -> {
          String[] known = directory.computeIfAbsent(identity, k -> new String[2]);
          known[1] = p.encryption();
          ctx.writeAndFlush(new Frame.Ok(p.ref()));
        }
        case Frame.DirectoryRequest d -> {
          String[] c = substitutes.getOrDefault(d.user(), directory.get(d.user()));
          ctx.writeAndFlush(c == null || c[0] == null || c[1] == null
              ? new Frame.Error(d.ref(), ErrorCode.UNKNOWN_USER, "no certificates known for that user")
              : new Frame.Certificates(d.ref(), d.user(), c[0], c[1]));
        }
        case Frame.Send s -> relay(ctx, s);
        // Like a real relay: it confirms acknowledgements and hands out the CA's signed CRL (which
        // it cannot forge); withholding either only makes clients more careful, never less.
        case Frame.Ack a -> ctx.writeAndFlush(new Frame.Ok(a.ref()));
        case Frame.CrlRequest c -> ctx.writeAndFlush(crl == null
            ? new Frame.Error(c.ref(), ErrorCode.NO_CRL, "no revocation list")
            : new Frame.Revocations(c.ref(), crl));
        default -> ctx.writeAndFlush(new Frame.Error(null, ErrorCode.UNKNOWN_TYPE, "not accepted from clients"));
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
        results.add(new Frame.Delivery(r, DeliveryStatus.DELIVERED)); // a lie when holding back: it is hostile
      }
      ctx.writeAndFlush(new Frame.Sent(s.ref(), header.messageIdHex(), results));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
