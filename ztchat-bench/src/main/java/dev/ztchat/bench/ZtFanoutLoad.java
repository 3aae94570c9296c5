package dev.ztchat.bench;

import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One member sends group envelopes ({@link GroupEnvelopes}) through a ztchat relay to every other
 * member, all online, each acknowledging every envelope (the relay's guarantee stays on: stored
 * before "sent", deleted per recipient on its ack). The sender keeps up to {@link
 * ZtRelayLoad#WINDOW} sends unanswered. Each delivery is one tracked arrival: message {@code m} to
 * receiver {@code r} is number {@code m * receivers + r}.
 */
final class ZtFanoutLoad {
  private ZtFanoutLoad() {}

  static Latencies run(
      int port,
      X509Certificate ca,
      UserIdentity sender,
      List<UserIdentity> receivers,
      int messages,
      int textBytes,
      Duration deadline)
      throws Exception {
    int n = receivers.size();
    Latencies lat = new Latencies(messages * n);
    CountDownLatch allReceived = new CountDownLatch(messages * n);
    GroupEnvelopes env =
        new GroupEnvelopes(
            sender.name(), receivers.stream().map(UserIdentity::name).toList(), textBytes);
    byte[][] frames = new byte[messages][];
    for (int m = 0; m < messages; m++) {
      frames[m] = ZtFrameHandler.framed(FrameCodec.encode(new Frame.Send(null, env.envelope(m))));
    }
    try (Dialer dialer = new Dialer(1)) {
      List<Channel> channels = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        Receiver rec = new Receiver(r, n, lat, allReceived);
        channels.add(
            ZtRelayLoad.welcomed(
                dialer
                    .dial(
                        port,
                        Dialer.clientContext(receivers.get(r).signing(), ca),
                        p -> ZtFrameHandler.install(p, rec))
                    .sync()
                    .channel(),
                rec.welcome));
      }
      Sender s = new Sender(frames, n, lat);
      Channel ch =
          ZtRelayLoad.welcomed(
              dialer
                  .dial(
                      port,
                      Dialer.clientContext(sender.signing(), ca),
                      p -> ZtFrameHandler.install(p, s))
                  .sync()
                  .channel(),
              s.welcome);
      channels.add(ch);
      ch.eventLoop().execute(() -> s.pump(ch));
      allReceived.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
      channels.forEach(Channel::close);
    }
    return lat;
  }

  /** The sending member: keeps up to WINDOW group envelopes unanswered. */
  private static final class Sender implements ZtFrameHandler.Listener {
    final CountDownLatch welcome = new CountDownLatch(1);
    private final byte[][] frames;
    private final int receivers;
    private final Latencies lat;
    private int next;
    private int unanswered;

    Sender(byte[][] frames, int receivers, Latencies lat) {
      this.frames = frames;
      this.receivers = receivers;
      this.lat = lat;
    }

    void pump(Channel ch) {
      while (unanswered < ZtRelayLoad.WINDOW && next < frames.length) {
        long now = System.nanoTime();
        for (int r = 0; r < receivers; r++) {
          lat.sent(next * receivers + r, now);
        }
        ch.write(Unpooled.wrappedBuffer(frames[next]), ch.voidPromise());
        frames[next] = null;
        next++;
        unanswered++;
      }
      ch.flush();
    }

    @Override
    public void onFrame(ChannelHandlerContext ctx, Frame frame) {
      if (frame instanceof Frame.Welcome) {
        welcome.countDown();
      } else if (frame instanceof Frame.Sent || frame instanceof Frame.Error) {
        unanswered--;
        pump(ctx.channel());
      }
    }
  }

  /** A receiving member: records each arrival and acknowledges it ({@link LoadAcks}). */
  private static final class Receiver implements ZtFrameHandler.Listener {
    final CountDownLatch welcome = new CountDownLatch(1);
    private final int index;
    private final int receivers;
    private final Latencies lat;
    private final CountDownLatch allReceived;
    private final LoadAcks acks = new LoadAcks();

    Receiver(int index, int receivers, Latencies lat, CountDownLatch allReceived) {
      this.index = index;
      this.receivers = receivers;
      this.lat = lat;
      this.allReceived = allReceived;
    }

    @Override
    public void onFrame(ChannelHandlerContext ctx, Frame frame) {
      if (frame instanceof Frame.Welcome w) {
        acks.welcome(w);
        welcome.countDown();
      } else if (frame instanceof Frame.Deliver d) {
        try {
          RoutingPrefix h = EnvelopeFormats.decodeRoutable(d.envelope());
          int m = (int) Envelopes.seqOf(h.messageId());
          if (lat.received(m * receivers + index)) {
            allReceived.countDown();
          }
          acks.acknowledge(ctx, h.sender(), h.messageIdHex());
        } catch (MalformedEnvelopeException e) {
          ctx.close();
        }
      }
    }

    @Override
    public void onReadComplete(ChannelHandlerContext ctx) {
      acks.readComplete(ctx);
    }
  }
}
