package dev.ztchat.server.aot;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * New full mTLS handshakes per second: {@code concurrency} connections at a time, each a fresh TCP
 * connection and a full handshake presenting a client certificate (no session reuse), counted only
 * when the server then sends application data (ztchat's welcome, nginx's line), which proves the
 * server accepted the certificate. Rates come from wall time. The handshake bench measures with it,
 * and the relay's ahead-of-time training ({@link RelayAotTraining}) is such a load.
 */
public final class HandshakeLoad {
  static {
    // Every connection is a full handshake: the client never offers a saved session.
    System.setProperty("io.netty.handler.ssl.openssl.sessionCacheClient", "false");
  }

  /**
   * Netty's OpenSSL client keys its session cache by host and port; a port number no other
   * connection uses means no saved session ever matches, even where the property above comes too
   * late (the class read it already). The number is only a cache key: the socket dials the port.
   */
  private static final AtomicInteger SESSION_KEY = new AtomicInteger();

  /**
   * What a run measured.
   *
   * @param completed handshakes the server accepted
   * @param failed connections that failed or closed before the server's first data
   * @param perSecond completed handshakes per second of wall time
   * @param eachSecond completed handshakes in each second of the run, from its start
   * @param sinceOrigin completed handshakes in each second since the origin the run was given (e.g.
   *     the start of the server's process), the same as {@code eachSecond} without one
   */
  public record Result(
      int completed,
      int failed,
      double perSecond,
      List<Integer> eachSecond,
      List<Integer> sinceOrigin) {
    /** Handshakes per second from second {@code from} (inclusive) to {@code to} (exclusive). */
    public double rate(int from, int to) {
      return rate(eachSecond, from, to);
    }

    /** As {@link #rate}, in seconds counted from the origin. */
    public double rateSinceOrigin(int from, int to) {
      return rate(sinceOrigin, from, to);
    }

    private static double rate(List<Integer> seconds, int from, int to) {
      int end = Math.min(to, seconds.size());
      if (end <= from) {
        return Double.NaN;
      }
      return seconds.subList(from, end).stream().mapToInt(Integer::intValue).sum()
          / (double) (end - from);
    }
  }

  private HandshakeLoad() {}

  public static Result run(int port, SslContext tls, int concurrency, Duration duration)
      throws InterruptedException {
    long now = System.nanoTime();
    return load(port, tls, concurrency, duration, now, now);
  }

  /**
   * As {@link #run(int, SslContext, int, Duration)}, also counting by second since {@code
   * originNanos} ({@link System#nanoTime()} at some earlier moment: the server process's start).
   */
  public static Result run(
      int port, SslContext tls, int concurrency, Duration duration, long originNanos)
      throws InterruptedException {
    return load(port, tls, concurrency, duration, System.nanoTime(), originNanos);
  }

  private static Result load(
      int port, SslContext tls, int concurrency, Duration duration, long start, long originNanos)
      throws InterruptedException {
    AtomicInteger failed = new AtomicInteger();
    long end = start + duration.toNanos();
    Counter done =
        new Counter(start, seconds(duration.toNanos()), originNanos, seconds(end - originNanos));
    CountDownLatch slots = new CountDownLatch(concurrency);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      for (int i = 0; i < concurrency; i++) {
        next(group, port, tls, end, done, failed, slots);
      }
      slots.await(duration.toMillis() + 15_000, TimeUnit.MILLISECONDS);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    return new Result(
        done.total.get(),
        failed.get(),
        done.total.get() / secs,
        list(done.bySecond),
        list(done.sinceOrigin));
  }

  private static int seconds(long nanos) {
    return (int) Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  private static List<Integer> list(AtomicIntegerArray counts) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < counts.length(); i++) {
      out.add(counts.get(i));
    }
    return List.copyOf(out);
  }

  /**
   * Completed handshakes, in total and by second since the start (the last second has the rest).
   */
  private static final class Counter {
    final AtomicInteger total = new AtomicInteger();
    final AtomicIntegerArray bySecond;
    final AtomicIntegerArray sinceOrigin;
    final long start;
    final long origin;

    Counter(long start, int seconds, long origin, int secondsSinceOrigin) {
      this.start = start;
      this.bySecond = new AtomicIntegerArray(seconds);
      this.origin = origin;
      this.sinceOrigin = new AtomicIntegerArray(secondsSinceOrigin);
    }

    void add() {
      total.incrementAndGet();
      long now = System.nanoTime();
      count(bySecond, (now - start) / 1_000_000_000L);
      count(sinceOrigin, (now - origin) / 1_000_000_000L);
    }

    private static void count(AtomicIntegerArray seconds, long second) {
      seconds.incrementAndGet((int) Math.min(second, seconds.length() - 1));
    }
  }

  private static void next(
      EventLoopGroup group,
      int port,
      SslContext tls,
      long end,
      Counter done,
      AtomicInteger failed,
      CountDownLatch slots) {
    if (System.nanoTime() >= end) {
      slots.countDown();
      return;
    }
    boolean[] counted = new boolean[1];
    dial(
            group,
            port,
            tls,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                if (!counted[0]) {
                  counted[0] = true;
                  done.add();
                  ctx.close();
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            })
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    failed.incrementAndGet();
                    next(group, port, tls, end, done, failed, slots);
                    return;
                  }
                  f.channel()
                      .closeFuture()
                      .addListener(
                          c -> {
                            if (!counted[0]) {
                              failed.incrementAndGet();
                            }
                            next(group, port, tls, end, done, failed, slots);
                          });
                });
  }

  /** Connects to 127.0.0.1:{@code port}; {@code handler} comes after TLS. */
  private static ChannelFuture dial(
      EventLoopGroup group, int port, SslContext tls, ChannelInboundHandlerAdapter handler) {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                int sessionKey = 1 + (SESSION_KEY.getAndIncrement() & 0x3fffffff);
                ch.pipeline()
                    .addLast(tls.newHandler(ch.alloc(), "127.0.0.1", sessionKey))
                    .addLast(handler);
              }
            })
        .connect("127.0.0.1", port);
  }
}
