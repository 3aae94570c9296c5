package dev.ztchat.bench;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
 * server accepted the certificate. Rates come from wall time.
 */
final class HandshakeLoad {
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
  record Result(
      int completed,
      int failed,
      double perSecond,
      List<Integer> eachSecond,
      List<Integer> sinceOrigin) {
    /** Handshakes per second from second {@code from} (inclusive) to {@code to} (exclusive). */
    double rate(int from, int to) {
      return rate(eachSecond, from, to);
    }

    /** As {@link #rate}, in seconds counted from the origin. */
    double rateSinceOrigin(int from, int to) {
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

  static Result run(int port, SslContext tls, int concurrency, Duration duration)
      throws InterruptedException {
    long now = System.nanoTime();
    return load(port, tls, concurrency, duration, now, now);
  }

  /**
   * As {@link #run(int, SslContext, int, Duration)}, also counting by second since {@code
   * originNanos} ({@link System#nanoTime()} at some earlier moment: the server process's start).
   */
  static Result run(int port, SslContext tls, int concurrency, Duration duration, long originNanos)
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
    try (Dialer dialer = new Dialer(1)) {
      for (int i = 0; i < concurrency; i++) {
        next(dialer, port, tls, end, done, failed, slots);
      }
      slots.await(duration.toMillis() + 15_000, TimeUnit.MILLISECONDS);
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
      Dialer dialer,
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
    dialer
        .dial(
            port,
            tls,
            p ->
                p.addLast(
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
                    }))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    failed.incrementAndGet();
                    next(dialer, port, tls, end, done, failed, slots);
                    return;
                  }
                  f.channel()
                      .closeFuture()
                      .addListener(
                          c -> {
                            if (!counted[0]) {
                              failed.incrementAndGet();
                            }
                            next(dialer, port, tls, end, done, failed, slots);
                          });
                });
  }
}
