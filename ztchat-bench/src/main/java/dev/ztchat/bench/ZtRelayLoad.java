package dev.ztchat.bench;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.DeliveryStatus;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * Drives a ztchat relay with pre-sealed envelopes: each pair is a sender connection that keeps up
 * to {@link #WINDOW} sends unanswered and a receiver connection that acknowledges every envelope
 * (the relay's delivery guarantee stays on: every envelope is stored before "sent", and deleted
 * only on the receiver's ack). The senders run at their full rate or at a fixed offered load
 * ({@link OfferedLoad}). Optionally the receivers connect only after everything was sent (the store
 * bench: enqueue for an offline user, then drain).
 */
final class ZtRelayLoad {
  /** Sends a sender keeps unanswered at most. */
  static final int WINDOW = 512;

  /** What one run measured. */
  record Result(Latencies latencies, int accepted, long enqueueNanos, long drainNanos) {}

  private ZtRelayLoad() {}

  static Result run(
      int port,
      X509Certificate ca,
      List<UserIdentity[]> pairs,
      int perPair,
      boolean offline,
      Duration deadline)
      throws Exception {
    return run(port, ca, pairs, perPair, offline, OfferedLoad.unpaced(), deadline);
  }

  /** Receivers online, senders paced by {@code load}. */
  static Latencies run(
      int port,
      X509Certificate ca,
      List<UserIdentity[]> pairs,
      int perPair,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    return run(i -> port, i -> port, ca, pairs, perPair, false, load, deadline).latencies();
  }

  /**
   * Receivers online, senders paced by {@code load}, across several relay nodes: pair {@code i}'s
   * sender connects to port {@code senderPort(i)} and its receiver to {@code receiverPort(i)}.
   */
  static Result acrossNodes(
      IntUnaryOperator senderPort,
      IntUnaryOperator receiverPort,
      X509Certificate ca,
      List<UserIdentity[]> pairs,
      int perPair,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    return run(senderPort, receiverPort, ca, pairs, perPair, false, load, deadline);
  }

  private static Result run(
      int port,
      X509Certificate ca,
      List<UserIdentity[]> pairs,
      int perPair,
      boolean offline,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    return run(i -> port, i -> port, ca, pairs, perPair, offline, load, deadline);
  }

  private static Result run(
      IntUnaryOperator senderPort,
      IntUnaryOperator receiverPort,
      X509Certificate ca,
      List<UserIdentity[]> pairs,
      int perPair,
      boolean offline,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    int total = pairs.size() * perPair;
    Latencies lat = new Latencies(total);
    AtomicInteger accepted = new AtomicInteger();
    CountDownLatch allSent = new CountDownLatch(total);
    CountDownLatch allReceived = new CountDownLatch(total);
    List<byte[][]> frames = new ArrayList<>();
    for (UserIdentity[] pair : pairs) {
      Envelopes env = new Envelopes(pair[0], pair[1]);
      byte[][] f = new byte[perPair][];
      for (int k = 0; k < perPair; k++) {
        f[k] =
            ZtFrameHandler.framed(
                FrameCodec.encode(new Frame.Send(null, env.envelope(frames.size() * perPair + k))));
      }
      frames.add(f);
    }
    try (Dialer dialer = new Dialer(1)) {
      List<Channel> receivers = new ArrayList<>();
      if (!offline) {
        receivers = connectReceivers(dialer, receiverPort, ca, pairs, lat, allReceived);
      }
      List<Sender> senders = new ArrayList<>();
      for (int i = 0; i < pairs.size(); i++) {
        senders.add(new Sender(i, load, frames.get(i), i * perPair, lat, accepted, allSent));
      }
      List<Channel> senderChannels = new ArrayList<>();
      for (int i = 0; i < pairs.size(); i++) {
        Sender s = senders.get(i);
        senderChannels.add(
            welcomed(
                dialer
                    .dial(
                        senderPort.applyAsInt(i),
                        Dialer.clientContext(pairs.get(i)[0].signing(), ca),
                        p -> ZtFrameHandler.install(p, s))
                    .sync()
                    .channel(),
                s.welcome));
      }
      List<Runnable> wake = new ArrayList<>();
      for (int i = 0; i < senders.size(); i++) {
        Channel ch = senderChannels.get(i);
        Sender s = senders.get(i);
        wake.add(() -> ch.eventLoop().execute(() -> s.pump(ch)));
      }
      load.start();
      long start = System.nanoTime();
      wake.forEach(Runnable::run);
      Thread pacer = load.drive(wake, perPair);
      long enqueue = 0;
      if (offline) {
        allSent.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
        enqueue = System.nanoTime() - start;
        start = System.nanoTime();
        receivers = connectReceivers(dialer, receiverPort, ca, pairs, lat, allReceived);
      }
      allReceived.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
      long drain = System.nanoTime() - start;
      OfferedLoad.stop(pacer);
      senderChannels.forEach(Channel::close);
      receivers.forEach(Channel::close);
      return new Result(lat, accepted.get(), enqueue, drain);
    }
  }

  private static List<Channel> connectReceivers(
      Dialer dialer,
      IntUnaryOperator port,
      X509Certificate ca,
      List<UserIdentity[]> pairs,
      Latencies lat,
      CountDownLatch allReceived)
      throws Exception {
    List<Channel> out = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      UserIdentity[] pair = pairs.get(i);
      Receiver r = new Receiver(lat, allReceived);
      out.add(
          welcomed(
              dialer
                  .dial(
                      port.applyAsInt(i),
                      Dialer.clientContext(pair[1].signing(), ca),
                      p -> ZtFrameHandler.install(p, r))
                  .sync()
                  .channel(),
              r.welcome));
    }
    return out;
  }

  static Channel welcomed(Channel ch, CountDownLatch welcome) throws InterruptedException {
    if (!welcome.await(30, TimeUnit.SECONDS)) {
      ch.close();
      throw new IllegalStateException("the relay sent no welcome within 30 s");
    }
    return ch;
  }

  /** A sender: sends what is due, keeping up to WINDOW sends unanswered; counts accepted ones. */
  private static final class Sender implements ZtFrameHandler.Listener {
    final CountDownLatch welcome = new CountDownLatch(1);
    private final int index;
    private final OfferedLoad load;
    private final byte[][] frames;
    private final int firstSeq;
    private final Latencies lat;
    private final AtomicInteger accepted;
    private final CountDownLatch allSent;
    private int next;
    private int unanswered;

    Sender(
        int index,
        OfferedLoad load,
        byte[][] frames,
        int firstSeq,
        Latencies lat,
        AtomicInteger accepted,
        CountDownLatch allSent) {
      this.index = index;
      this.load = load;
      this.frames = frames;
      this.firstSeq = firstSeq;
      this.lat = lat;
      this.accepted = accepted;
      this.allSent = allSent;
    }

    void pump(Channel ch) {
      send(ch);
      ch.flush();
    }

    /**
     * Writes what is due without flushing: answers arrive many to a read, and the read's end
     * flushes them all at once ({@link ZtFrameHandler.Listener#onReadComplete}).
     */
    private void send(Channel ch) {
      int due = load.due(index, frames.length);
      while (unanswered < WINDOW && next < due) {
        lat.sent(firstSeq + next, load.scheduledAt(index, next));
        ch.write(Unpooled.wrappedBuffer(frames[next]), ch.voidPromise());
        frames[next] = null;
        next++;
        unanswered++;
      }
    }

    @Override
    public void onFrame(ChannelHandlerContext ctx, Frame frame) {
      if (frame instanceof Frame.Welcome) {
        welcome.countDown();
      } else if (frame instanceof Frame.Sent s) {
        unanswered--;
        if (s.results().stream()
            .allMatch(
                d ->
                    d.status() == DeliveryStatus.DELIVERED
                        || d.status() == DeliveryStatus.QUEUED)) {
          accepted.incrementAndGet();
        }
        allSent.countDown();
        send(ctx.channel());
      } else if (frame instanceof Frame.Error) {
        unanswered--;
        allSent.countDown();
        send(ctx.channel());
      }
    }
  }

  /**
   * A receiver: records each envelope's latency and acknowledges it; all the envelopes of one read
   * in one {@code acks} when the relay takes batches ({@code maxAcks} in its welcome), one {@code
   * ack} each otherwise.
   */
  private static final class Receiver implements ZtFrameHandler.Listener {
    final CountDownLatch welcome = new CountDownLatch(1);
    private final Latencies lat;
    private final CountDownLatch allReceived;
    private final LoadAcks acks = new LoadAcks();

    Receiver(Latencies lat, CountDownLatch allReceived) {
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
          EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
          if (lat.received((int) Envelopes.seqOf(h.messageId()))) {
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
