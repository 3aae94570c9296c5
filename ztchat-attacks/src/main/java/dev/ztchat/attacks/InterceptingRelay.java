package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.transport.FrameDecoder;
import dev.ztchat.core.transport.TlsContexts;
import dev.ztchat.core.transport.TlsSettings;
import io.netty.bootstrap.Bootstrap;
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
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A compromised relay in front of the real one, for the version-2 attacks: it holds the server's
 * certificate and key, so clients connect to it as to the relay, and for each client it connects to
 * the real relay as that user (with the user's own certificate from the certs folder, as an insider
 * with the whole certs folder could). Every frame passes through it, so the real relay does the
 * version-2 work (prekeys, bundles, binary frames) while this one records what is delivered, holds
 * deliveries back, delivers any bytes, and answers bundle requests itself.
 */
final class InterceptingRelay implements AutoCloseable {
  /** An envelope the real relay delivered to {@code to}, as it came. */
  record Delivered(String to, RoutingPrefix prefix, byte[] envelope, boolean binary) {}

  /** An envelope a client sent, as it came. */
  record Sent(String from, RoutingPrefix prefix, byte[] envelope, boolean binary) {}

  private final AttackTarget target;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel serverChannel;
  private final Map<String, List<Channel>> online = new ConcurrentHashMap<>();
  private final BlockingQueue<Delivered> delivered = new LinkedBlockingQueue<>();
  private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
  private final List<Sent> allSent = new CopyOnWriteArrayList<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Set<String> holdFor = ConcurrentHashMap.newKeySet();
  private final Set<String> stocked = ConcurrentHashMap.newKeySet();
  private final Set<Channel> stockedConnections = ConcurrentHashMap.newKeySet();
  private final List<Credential> devices = new CopyOnWriteArrayList<>();
  private final Set<String> sentHere = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refs = new AtomicInteger();

  /** The refs of the frames this relay writes to the real one on its own account. */
  private static final String OWN_REF = "intercept-";

  private final Map<String, Function<String, Frame>> bundleAnswers = new ConcurrentHashMap<>();
  private volatile Function<Frame.Send, Frame> sendAnswer = s -> null;
  private volatile Function<Delivered, Boolean> deliveryFilter = d -> true;
  private volatile DeviceHiding hiding;

  private InterceptingRelay(AttackTarget target) throws Exception {
    this.target = requireNonNull(target, "target");
    SslContext ssl =
        TlsContexts.server(
            target.serverCredential(), trustOnly(target.caCertificate()), TlsSettings.provider());
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
                        .addLast(new ClientSide());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  /** Starts one on a free loopback port, in front of {@code target}'s relay. */
  static InterceptingRelay start(AttackTarget target) throws Exception {
    return new InterceptingRelay(target);
  }

  int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** The next envelope delivered (or held back) to anyone, or null after {@code timeout}. */
  Delivered nextDelivered(Duration timeout) throws InterruptedException {
    return delivered.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next envelope {@code from} sent, skipping others', or null after {@code timeout}. */
  Sent nextSent(String from, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Sent s;
    while ((s = sent.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
        != null) {
      if (s.from().equals(from)) {
        return s;
      }
    }
    return null;
  }

  /** Every envelope clients sent through this relay so far. */
  List<Sent> allSent() {
    return List.copyOf(allSent);
  }

  /**
   * Decides, for each envelope the real relay delivers, whether it is passed on (true) or held back
   * (false; it is still recorded, and the real relay keeps it, unacknowledged).
   */
  void filterDeliveries(Function<Delivered, Boolean> filter) {
    deliveryFilter = requireNonNull(filter, "filter");
  }

  /** Holds back every delivery to {@code user} from now on (they are still recorded). */
  void holdDeliveriesTo(String user) {
    holdFor.add(user);
  }

  /**
   * Answers every bundle request for {@code user} with {@code answer.apply(ref)} instead of asking
   * the real relay.
   */
  void answerBundleRequests(String user, Function<String, Frame> answer) {
    bundleAnswers.put(user, answer);
  }

  /**
   * Answers each {@code send} (after recording it) with {@code answer.apply(send)} instead of
   * passing it to the real relay, when that is not null.
   */
  void answerSends(Function<Frame.Send, Frame> answer) {
    sendAnswer = requireNonNull(answer, "answer");
  }

  /** Hides a device of a person from one viewer from now on, as {@code hiding} says. */
  void hide(DeviceHiding hiding) {
    this.hiding = requireNonNull(hiding, "hiding");
  }

  /** A {@code no_prekeys} error for bundle requests: the relay hides the user's prekeys. */
  static Frame noPrekeys(String ref) {
    return new Frame.Error(ref, ErrorCode.NO_PREKEYS, "no prekeys for that user");
  }

  /** Delivers {@code envelope} to every connection of {@code user}; returns how many. */
  int inject(String user, byte[] envelope, boolean binary) {
    List<Channel> targets = online.getOrDefault(user, List.of());
    byte[] frame = FrameCodec.encode(new Frame.Deliver(envelope, binary));
    targets.forEach(ch -> ch.writeAndFlush(framed(frame)));
    return targets.size();
  }

  /** Whether the real relay told {@code user}'s client what prekeys it holds (it published). */
  boolean prekeysPublished(String user) {
    return stocked.contains(user);
  }

  /** How many of {@code user}'s connections (devices) the real relay told what prekeys it holds. */
  long connectionsWithPrekeys(String user) {
    return online.getOrDefault(user, List.of()).stream()
        .filter(stockedConnections::contains)
        .count();
  }

  boolean isOpen(String user) {
    return !online.getOrDefault(user, List.of()).isEmpty();
  }

  /** Whether the real relay confirmed {@code user}'s acknowledgement of that envelope. */
  boolean acknowledged(String user, String sender, String messageIdHex) {
    return acknowledged.contains(user + " " + sender + " " + messageIdHex);
  }

  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    online.values().forEach(list -> list.forEach(Channel::close));
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  private static ByteBuf framed(byte[] payload) {
    return Unpooled.buffer(4 + payload.length).writeInt(payload.length).writeBytes(payload);
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
      throw new IOException("cannot set up the intercepting relay's TLS: " + e.getMessage(), e);
    }
  }

  /**
   * A device credential minted for an attack: a client presenting its certificate is connected to
   * the real relay with it.
   */
  void addDevice(Credential device) {
    devices.add(requireNonNull(device, "device"));
  }

  /** The credential {@code name} presented: the device one if it is a device certificate. */
  private Credential upstreamCredential(String name, X509Certificate presented)
      throws IOException, CouldNotRunException {
    for (Credential d : devices) {
      if (d.certificate().equals(presented)) {
        return d;
      }
    }
    if (target.certs().hasDevice(name)) {
      Credential device = target.certs().readDevice(name);
      if (device.certificate().equals(presented)) {
        return device;
      }
    }
    return target.user(name).signing();
  }

  /** One client's connection; it opens its own to the real relay once the client is known. */
  private final class ClientSide extends SimpleChannelInboundHandler<ByteBuf> {
    private String identity;
    private Channel upstream;
    private final List<byte[]> early = new ArrayList<>();
    private final Map<String, List<Frame.AckedEnvelope>> pendingAcks = new ConcurrentHashMap<>();

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
        connectUpstream(ctx.channel(), upstreamCredential(identity, peer));
      }
      super.userEventTriggered(ctx, evt);
    }

    private void connectUpstream(Channel client, Credential as) throws IOException {
      SslContext ssl = TlsContexts.client(as, target.caCertificate(), TlsSettings.provider());
      new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(
              new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                  ch.pipeline()
                      .addLast(ssl.newHandler(ch.alloc(), target.host(), target.port()))
                      .addLast(
                          new FrameDecoder(ProtocolLimits.MAX_MAX_FRAME, Duration.ofMinutes(5)))
                      .addLast(new RelaySide(client));
                }
              })
          .connect(target.host(), target.port())
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  client.close();
                }
              });
    }

    /** Called on the event loop once the real relay's TLS handshake is done. */
    void upstreamReady(Channel up) {
      upstream = up;
      early.forEach(b -> up.writeAndFlush(framed(b)));
      early.clear();
    }

    private Channel clientChannel;

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      clientChannel = ctx.channel();
      ctx.channel()
          .closeFuture()
          .addListener(
              f -> {
                if (identity != null) {
                  online.getOrDefault(identity, List.of()).remove(ctx.channel());
                }
                if (upstream != null) {
                  upstream.close();
                }
              });
      super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf payload) {
      byte[] bytes = ByteBufUtil.getBytes(payload);
      Frame frame;
      try {
        frame = FrameCodec.decode(bytes);
      } catch (MalformedFrameException e) {
        frame = null; // the real relay answers it
      }
      DeviceHiding hide = hiding;
      if (hide != null && frame instanceof Frame.BundleRequest b) {
        Frame.BundleRequest asked = hide.request(identity, b);
        if (asked == null) {
          ctx.writeAndFlush(framed(FrameCodec.encode(noPrekeys(b.ref()))));
          return;
        }
        frame = asked;
        bytes = FrameCodec.encode(asked);
      } else if (hide != null && frame instanceof Frame.Send s) {
        frame = hide.send(identity, s);
        bytes = FrameCodec.encode(frame);
      }
      switch (frame) {
        case Frame.BundleRequest b when bundleAnswers.containsKey(b.user()) -> {
          ctx.writeAndFlush(framed(FrameCodec.encode(bundleAnswers.get(b.user()).apply(b.ref()))));
          return;
        }
        case Frame.Send s -> {
          record(s);
          Frame answer = sendAnswer.apply(s);
          if (answer != null) {
            ctx.writeAndFlush(framed(FrameCodec.encode(answer)));
            return;
          }
        }
        case Frame.Ack a when a.ref() != null ->
            pendingAcks.put(a.ref(), List.of(new Frame.AckedEnvelope(a.sender(), a.messageId())));
        case Frame.Acks a when a.ref() != null -> pendingAcks.put(a.ref(), a.envelopes());
        case null, default -> {}
      }
      if (upstream == null) {
        early.add(bytes);
      } else {
        upstream.writeAndFlush(framed(bytes));
      }
    }

    private void record(Frame.Send s) {
      try {
        RoutingPrefix p = EnvelopeFormats.decodeRoutable(s.envelope());
        Sent one = new Sent(identity, p, s.envelope(), s.binary());
        sentHere.add(p.sender() + " " + p.messageIdHex());
        allSent.add(one);
        sent.add(one);
      } catch (MalformedEnvelopeException e) {
        // not an envelope the real relay routes either
      }
    }

    /** What the real relay sends this client: passed on unless a delivery is held back. */
    void fromRelay(byte[] bytes) {
      Frame frame;
      try {
        frame = FrameCodec.decode(bytes);
      } catch (MalformedFrameException e) {
        frame = null;
      }
      if (frame instanceof Frame.Deliver d) {
        try {
          Delivered one =
              new Delivered(
                  identity, EnvelopeFormats.decodeRoutable(d.envelope()), d.envelope(), d.binary());
          if (!sentHere.contains(one.prefix().sender() + " " + one.prefix().messageIdHex())) {
            // Left on the real relay by an earlier run: not this attack's, so held back (and left
            // there) rather than confusing this run's victims.
            return;
          }
          delivered.add(one);
          if (holdFor.contains(identity) || !deliveryFilter.apply(one)) {
            // Taken off the real relay, as a relay that drops a message does: recorded here only.
            upstream.writeAndFlush(
                framed(
                    FrameCodec.encode(
                        new Frame.Ack(
                            OWN_REF + refs.incrementAndGet(),
                            one.prefix().sender(),
                            one.prefix().messageIdHex()))));
            return;
          }
        } catch (MalformedEnvelopeException e) {
          // passed on as it came: the client judges it
        }
      } else if (frame instanceof Frame.PrekeyBundle b && hiding != null) {
        bytes = FrameCodec.encode(hiding.bundle(identity, b));
      } else if (frame instanceof Frame.PrekeyStock) {
        stocked.add(identity);
        stockedConnections.add(clientChannel);
      } else if (frame != null && frame.ref() != null && frame.ref().startsWith(OWN_REF)) {
        return; // the answer to an acknowledgement this relay made itself
      } else if (frame instanceof Frame.Ok ok && ok.ref() != null) {
        List<Frame.AckedEnvelope> acks = pendingAcks.remove(ok.ref());
        if (acks != null) {
          acks.forEach(a -> acknowledged.add(identity + " " + a.sender() + " " + a.messageId()));
        }
      }
      clientChannel.writeAndFlush(framed(bytes));
      if (frame instanceof Frame.Welcome) {
        // Only now may the attack deliver: a client takes nothing before its welcome.
        online.computeIfAbsent(identity, k -> new CopyOnWriteArrayList<>()).add(clientChannel);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The connection to the real relay made for one client. */
  private static final class RelaySide extends SimpleChannelInboundHandler<ByteBuf> {
    private final Channel client;

    RelaySide(Channel client) {
      this.client = client;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        if (!done.isSuccess()) {
          ctx.close();
          client.close();
          return;
        }
        client.pipeline().get(ClientSide.class).upstreamReady(ctx.channel());
        ctx.channel().closeFuture().addListener(f -> client.close());
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf payload) {
      client.pipeline().get(ClientSide.class).fromRelay(ByteBufUtil.getBytes(payload));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
