package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The flush consolidation between TLS and the frame handlers: frames answered one flush each reach
 * TLS as one flush (one record, one socket write), during a read and outside one, and none is lost
 * or reordered.
 */
class FlushConsolidationTest {

  /** Stands where TLS is: counts the flushes that reach it and keeps what was written, in order. */
  static final class TlsStandIn extends ChannelDuplexHandler {
    int flushes;
    final List<String> written = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      written.add(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
      ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes++;
      ctx.flush();
    }
  }

  /** Answers each inbound message with three frames, each written and flushed on its own. */
  static final class ThreeAnswers extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      for (int i = 0; i < 3; i++) {
        ctx.writeAndFlush(frame("answer" + i));
      }
    }
  }

  static ByteBuf frame(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  static EmbeddedChannel channel(TlsStandIn tls) {
    return new EmbeddedChannel(
        tls, RelayServerInitializer.flushConsolidation(), new ThreeAnswers());
  }

  @Test
  void answersFlushedWithinOneRead_reachTlsAsOneFlush_inOrder() {
    TlsStandIn tls = new TlsStandIn();
    EmbeddedChannel ch = channel(tls);

    ch.writeInbound(frame("ack"));

    assertThat(tls.flushes).as("one flush at the end of the read, not one per answer").isEqualTo(1);
    assertThat(tls.written).containsExactly("answer0", "answer1", "answer2");
    assertThat(ch.outboundMessages()).hasSize(3);
    ch.finishAndReleaseAll();
  }

  @Test
  void framesFlushedOutsideARead_reachTlsAsOneFlush_onceTheEventLoopGetsToIt() throws Exception {
    // A real event loop (the embedded one runs a scheduled flush at once): a local connection
    // whose writing side has the relay's consolidation in front of the stand-in for TLS.
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    try {
      LocalAddress address = new LocalAddress("flush-" + System.nanoTime());
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(LocalServerChannel.class)
              .childHandler(new ChannelInboundHandlerAdapter())
              .bind(address)
              .sync()
              .channel();
      TlsStandIn tls = new TlsStandIn();
      Channel ch =
          new Bootstrap()
              .group(group)
              .channel(LocalChannel.class)
              .handler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                      c.pipeline().addLast(tls, RelayServerInitializer.flushConsolidation());
                    }
                  })
              .connect(address)
              .sync()
              .channel();
      int before = ch.eventLoop().submit(() -> tls.flushes).get();

      // as answers to acknowledgements from memory arrive: one event-loop task each, not a read
      // (queued from the loop itself, so that all three are queued before the first runs)
      ch.eventLoop()
          .execute(
              () -> {
                for (int i = 0; i < 3; i++) {
                  ByteBuf sent = frame("sent" + i);
                  ch.eventLoop().execute(() -> ch.writeAndFlush(sent));
                }
              });
      ch.eventLoop().submit(() -> {}).get(); // the tasks have been queued
      ch.eventLoop().submit(() -> {}).get(); // and have run
      int after = ch.eventLoop().submit(() -> tls.flushes).get(); // and the flush they scheduled

      assertThat(after - before).as("one flush for the three frames").isEqualTo(1);
      assertThat(tls.written).containsExactly("sent0", "sent1", "sent2");
      ch.close().sync();
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void closingAfterAHeldFlush_stillSendsTheHeldFrames() {
    TlsStandIn tls = new TlsStandIn();
    EmbeddedChannel ch = channel(tls);

    ch.writeAndFlush(frame("error"));
    ch.close();

    assertThat(tls.flushes).as("the held flush is made before the close").isEqualTo(1);
    assertThat(ch.outboundMessages()).hasSize(1);
    ch.finishAndReleaseAll();
  }
}
