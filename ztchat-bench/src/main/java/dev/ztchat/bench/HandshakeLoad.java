package dev.ztchat.bench;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * New full mTLS handshakes per second: {@code concurrency} connections at a time, each a fresh TCP
 * connection and a full handshake presenting a client certificate (no session reuse), counted only
 * when the server then sends application data (ztchat's welcome, nginx's line), which proves the
 * server accepted the certificate. Rates come from wall time.
 */
final class HandshakeLoad {
  /** What a run measured. */
  record Result(int completed, int failed, double perSecond) {}

  private HandshakeLoad() {}

  static Result run(int port, SslContext tls, int concurrency, Duration duration)
      throws InterruptedException {
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long end = System.nanoTime() + duration.toNanos();
    CountDownLatch slots = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    try (Dialer dialer = new Dialer(1)) {
      for (int i = 0; i < concurrency; i++) {
        next(dialer, port, tls, end, done, failed, slots);
      }
      slots.await(duration.toMillis() + 15_000, TimeUnit.MILLISECONDS);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    return new Result(done.get(), failed.get(), done.get() / secs);
  }

  private static void next(
      Dialer dialer,
      int port,
      SslContext tls,
      long end,
      AtomicInteger done,
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
                          done.incrementAndGet();
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
