package dev.ztchat.bench;

import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
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
import java.util.function.LongFunction;

/**
 * Drives a ztchat relay with pre-sealed envelopes: each pair is a sender connection that keeps up
 * to {@link #WINDOW} sends unanswered and a receiver connection that acknowledges every envelope
 * (the relay's delivery guarantee stays on: every envelope is stored before "sent", and deleted
 * only on the receiver's ack). The senders run at their full rate or at a fixed offered load
 * ({@link OfferedLoad}). Optionally the receivers connect only after everything was sent (the store
 * bench: enqueue for an offline user, then drain). The envelopes and frames are those of a {@link
 * Wire}: version 2 in binary frames as version-2 peers use by default, or version 1 in JSON.
 */
final class ZtRelayLoad {
  /** Sends a sender keeps unanswered at most. */
  static final int WINDOW = 512;

  /**
   * What one run measured.
   *
   * @param binaryDeliveries how many envelopes arrived in binary {@code deliver} frames
   */
  record Result(
      Latencies latencies, int accepted, long enqueueNanos, long drainNanos, int binaryDeliveries) {
    Result(Latencies latencies, int accepted, long enqueueNanos, long drainNanos) {
      this(latencies, accepted, enqueueNanos, drainNanos, 0);
    }
  }

  private ZtRelayLoad() {}

  static Result run(
      int port,
      X509Certificate ca,
      Wire wire,
      List<UserIdentity[]> pairs,
      int perPair,
      boolean offline,
      Duration deadline)
      throws Exception {
    return run(
        i -> port, i -> port, ca, wire, pairs, perPair, offline, OfferedLoad.unpaced(), deadline);
  }

  /** Receivers online, senders paced by {@code load}. */
  static Result run(
      int port,
      X509Certificate ca,
      Wire wire,
      List<UserIdentity[]> pairs,
      int perPair,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    return run(i -> port, i -> port, ca, wire, pairs, perPair, false, load, deadline);
  }

  /**
   * Receivers online, senders paced by {@code load}, across several relay nodes: pair {@code i}'s
   * sender connects to port {@code senderPort(i)} and its receiver to {@code receiverPort(i)}; in
   * {@code wire}'s format.
   */
  static Result acrossNodes(
      IntUnaryOperator senderPort,
      IntUnaryOperator receiverPort,
      X509Certificate ca,
      Wire wire,
      List<UserIdentity[]> pairs,
      int perPair,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    return run(senderPort, receiverPort, ca, wire, pairs, perPair, false, load, deadline);
  }

  private static Result run(
      IntUnaryOperator senderPort,
      IntUnaryOperator receiverPort,
      X509Certificate ca,
      Wire wire,
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
    AtomicInteger binary = new AtomicInteger();
    List<byte[][]> frames = new ArrayList<>();
    for (UserIdentity[] pair : pairs) {
      LongFunction<byte[]> env = wire.envelopes(pair[0], pair[1]);
      byte[][] f = new byte[perPair][];
      for (int k = 0; k < perPair; k++) {
        f[k] = wire.sendFrame(env.apply(frames.size() * perPair + k), pair[1]);
      }
      frames.add(f);
    }
    Receivers receivers = new Receivers(receiverPort, ca, wire, pairs, lat, allReceived, binary);
    try (Dialer dialer = new Dialer(1)) {
      List<Channel> receiving = new ArrayList<>();
      if (!offline) {
        receiving = receivers.connect(dialer);
      }
      List<Sender> senders = new ArrayList<>();
      for (int i = 0; i < pairs.size(); i++) {
        senders.add(new Sender(i, load, frames.get(i), i * perPair, lat, accepted, allSent, wire));
      }
      List<Channel> senderChannels = new ArrayList<>();
      for (int i = 0; i < pairs.size(); i++) {
        Sender s = senders.get(i);
        senderChannels.add(
            welcomed(
                dialer
                    .dial(
                        senderPort.applyAsInt(i),
                        Dialer.clientContext(wire.tls(pairs.get(i)[0]), ca),
                        p -> ZtFrameHandler.install(p, s))
                    .sync()
                    .channel(),
                s.start.welcome));
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
        receiving = receivers.connect(dialer);
      }
      allReceived.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
      long drain = System.nanoTime() - start;
      // The relay answers a sender after its recipient's ack, so the last answers may still be on
      // their way when the last envelope arrived: count them before reading how many were accepted.
      allSent.await(Math.min(deadline.toMillis(), 10_000), TimeUnit.MILLISECONDS);
      OfferedLoad.stop(pacer);
      senderChannels.forEach(Channel::close);
      receiving.forEach(Channel::close);
      return new Result(lat, accepted.get(), enqueue, drain, binary.get());
    }
  }

  /** The receiving side of a run: one connection per pair, as its recipient's client. */
  private record Receivers(
      IntUnaryOperator port,
      X509Certificate ca,
      Wire wire,
      List<UserIdentity[]> pairs,
      Latencies lat,
      CountDownLatch allReceived,
      AtomicInteger binary) {
    List<Channel> connect(Dialer dialer) throws Exception {
      List<Channel> out = new ArrayList<>();
      for (int i = 0; i < pairs.size(); i++) {
        Receiver r = new Receiver(this);
        out.add(
            welcomed(
                dialer
                    .dial(
                        port.applyAsInt(i),
                        Dialer.clientContext(wire.tls(pairs.get(i)[1]), ca),
                        p -> ZtFrameHandler.install(p, r))
                    .sync()
                    .channel(),
                r.start.welcome));
      }
      return out;
    }
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
    final LoadStart start;
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
        CountDownLatch allSent,
        Wire wire) {
      this.index = index;
      this.load = load;
      this.frames = frames;
      this.firstSeq = firstSeq;
      this.lat = lat;
      this.accepted = accepted;
      this.allSent = allSent;
      this.start = new LoadStart(wire);
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
      if (start.onFrame(ctx, frame)) {
        return;
      }
      if (frame instanceof Frame.Sent s) {
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
   * ack} each otherwise. Reads envelopes of either version, in JSON or binary frames.
   */
  private static final class Receiver implements ZtFrameHandler.Listener {
    final LoadStart start;
    private final Receivers run;
    private final LoadAcks acks = new LoadAcks();

    Receiver(Receivers run) {
      this.run = run;
      this.start = new LoadStart(run.wire());
    }

    @Override
    public void onFrame(ChannelHandlerContext ctx, Frame frame) {
      if (frame instanceof Frame.Welcome w) {
        acks.welcome(w);
      }
      if (start.onFrame(ctx, frame)) {
        return;
      }
      if (frame instanceof Frame.Deliver d) {
        if (d.binary()) {
          run.binary().incrementAndGet();
        }
        try {
          RoutingPrefix h = EnvelopeFormats.decodeRoutable(d.envelope());
          if (run.lat().received((int) Envelopes.seqOf(h.messageId()))) {
            run.allReceived().countDown();
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
