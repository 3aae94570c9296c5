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
   */
  record Result(int completed, int failed, double perSecond, List<Integer> eachSecond) {
    /** Handshakes per second from second {@code from} (inclusive) to {@code to} (exclusive). */
    double rate(int from, int to) {
      int end = Math.min(to, eachSecond.size());
      if (end <= from) {
        return Double.NaN;
      }
      return eachSecond.subList(from, end).stream().mapToInt(Integer::intValue).sum()
          / (double) (end - from);
    }
  }

  private HandshakeLoad() {}

  static Result run(int port, SslContext tls, int concurrency, Duration duration)
      throws InterruptedException {
    AtomicInteger failed = new AtomicInteger();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    Counter done = new Counter(start, (int) Math.max(1, (duration.toMillis() + 999) / 1000));
    CountDownLatch slots = new CountDownLatch(concurrency);
    try (Dialer dialer = new Dialer(1)) {
      for (int i = 0; i < concurrency; i++) {
        next(dialer, port, tls, end, done, failed, slots);
      }
      slots.await(duration.toMillis() + 15_000, TimeUnit.MILLISECONDS);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    List<Integer> each = new ArrayList<>();
    for (int i = 0; i < done.bySecond.length(); i++) {
      each.add(done.bySecond.get(i));
    }
    return new Result(done.total.get(), failed.get(), done.total.get() / secs, List.copyOf(each));
  }

  /**
   * Completed handshakes, in total and by second since the start (the last second has the rest).
   */
  private static final class Counter {
    final AtomicInteger total = new AtomicInteger();
    final AtomicIntegerArray bySecond;
    final long start;

    Counter(long start, int seconds) {
      this.start = start;
      this.bySecond = new AtomicIntegerArray(seconds);
    }

    void add() {
      total.incrementAndGet();
      long second = (System.nanoTime() - start) / 1_000_000_000L;
      bySecond.incrementAndGet((int) Math.min(second, bySecond.length() - 1));
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
