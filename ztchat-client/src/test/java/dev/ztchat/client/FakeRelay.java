package dev.ztchat.client;

import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
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
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManagerFactory;

/**
 * A hostile relay for client tests: real TLS with the test PKI's server certificate, so the client
 * takes it for its relay. It sends a chosen first frame (by default a genuine {@code welcome}),
 * answers {@code publish}, {@code ping} and {@code ack}, never answers {@code directory} or {@code
 * crl} (so a client that opens a pushed envelope waits), and can push any bytes as frames, as fast
 * as the socket takes them.
 */
final class FakeRelay implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel serverChannel;
  private final byte[] firstFrame;
  private final CompletableFuture<Channel> client = new CompletableFuture<>();
  private final AtomicInteger pushed = new AtomicInteger();
  private volatile byte[] floodFrame;
  private volatile int floodLeft;

  /** A relay that opens with {@code firstFrame} (a whole payload), or a genuine welcome if null. */
  FakeRelay(TestPki pki, byte[] firstFrame) throws Exception {
    this.firstFrame = firstFrame;
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", pki.ca().certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    var ssl = TlsContexts.server(pki.server(), tmf.getTrustManagers()[0], TlsSettings.provider());
    serverChannel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(ssl.newHandler(ch.alloc()))
                .addLast(new FrameDecoder(ProtocolLimits.DEFAULT_MAX_FRAME, ProtocolLimits.DEFAULT_FRAME_TIMEOUT))
                .addLast(FrameEncoder.INSTANCE)
                .addLast(new Handler());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .sync()
        .channel();
  }

  int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Pushes {@code payload} as one frame to the connected client. */
  void push(byte[] payload) throws Exception {
    Channel ch = client.get(10, TimeUnit.SECONDS);
    ch.writeAndFlush(framed(payload)).sync();
  }

  /**
   * Pushes {@code count} copies of {@code payload}, each written only when the socket takes more:
   * when the client stops reading, the flood stops with it.
   */
  void flood(byte[] payload, int count) throws Exception {
    Channel ch = client.get(10, TimeUnit.SECONDS);
    floodFrame = payload;
    floodLeft = count;
    ch.eventLoop().execute(() -> pump(ch));
  }

  /** Frames of the flood the socket has taken so far. */
  int pushed() {
    return pushed.get();
  }

  @SuppressWarnings("NonAtomicVolatileUpdate") // only the event loop decrements it
  private void pump(Channel ch) {
    while (floodLeft > 0 && ch.isActive() && ch.isWritable()) {
      floodLeft--;
      ch.writeAndFlush(framed(floodFrame)).addListener(f -> {
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
    client.thenAccept(Channel::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  private final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        if (!done.isSuccess()) {
          ctx.close();
          return;
        }
        String identity = Certificates.commonName((X509Certificate)
            ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates()[0]);
        byte[] first = firstFrame != null ? firstFrame : FrameCodec.encode(new Frame.Welcome(
            ProtocolLimits.PROTOCOL_VERSION, identity, ProtocolLimits.DEFAULT_MAX_FRAME,
            (int) ProtocolLimits.DEFAULT_IDLE_TIMEOUT.toSeconds()));
        ctx.writeAndFlush(framed(first));
        client.complete(ctx.channel());
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      pump(ctx.channel());
      super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf payload) {
      Frame frame;
      try {
        frame = FrameCodec.decode(ByteBufUtil.getBytes(payload));
      } catch (MalformedFrameException e) {
        return;
      }
      switch (frame) {
        case Frame.Ping p -> ctx.writeAndFlush(new Frame.Pong(p.ref()));
        case Frame.Publish p -> ctx.writeAndFlush(new Frame.Ok(p.ref()));
        case Frame.Ack a -> ctx.writeAndFlush(new Frame.Ok(a.ref()));
        default -> {} // directory and crl: never answered
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
