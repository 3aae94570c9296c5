package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts, per remote address, the connections that have not finished the TLS handshake, and refuses
 * a new one from an address already at {@link ConnectionLimits#preAuthPerAddress()}: an
 * unauthenticated peer cannot hold more than that many sockets, whatever the handshake timeout. A
 * connection stops counting when its handshake completes (either way) or it closes.
 */
final class PreAuthLimiter {
  private final ConcurrentMap<InetAddress, Integer> inHandshake = new ConcurrentHashMap<>();

  /**
   * Counts {@code channel} against its address if there is room and returns the handler to place
   * right after TLS, which stops the count at the handshake's end (so does the close); returns
   * null, counting nothing, when the address is at {@code limit}.
   */
  ChannelHandler admit(Channel channel, int limit) {
    InetAddress address = addressOf(channel);
    boolean[] admitted = {false};
    inHandshake.compute(
        address,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= limit) {
            return n;
          }
          admitted[0] = true;
          return now + 1;
        });
    if (!admitted[0]) {
      return null;
    }
    Counted counted = new Counted(address);
    channel.closeFuture().addListener(counted);
    return counted;
  }

  /** Connections from {@code address} counted now (tests). */
  int inHandshake(InetAddress address) {
    return inHandshake.getOrDefault(address, 0);
  }

  private static InetAddress addressOf(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress a
        ? a.getAddress()
        : InetAddress.getLoopbackAddress();
  }

  /**
   * One counted connection, in one object: it sits right after TLS, and the handshake's end or the
   * connection's close (whichever comes first) stops the count; after the handshake it leaves the
   * pipeline.
   */
  private final class Counted extends ChannelInboundHandlerAdapter
      implements ChannelFutureListener {
    private final InetAddress address;
    private final AtomicBoolean done = new AtomicBoolean();

    Counted(InetAddress address) {
      this.address = requireNonNull(address, "address");
    }

    private void release() {
      if (done.compareAndSet(false, true)) {
        inHandshake.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
      }
    }

    @Override
    public void operationComplete(ChannelFuture closed) {
      release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent) {
        release();
        ctx.pipeline().remove(this);
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
