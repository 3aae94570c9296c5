package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.store.EnqueueOutcome;
import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.QueuedEnvelope;
import io.netty.channel.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store-and-forward: every accepted envelope is committed to the {@link OfflineQueue} before the
 * sender hears "accepted", then pushed, in order, to each live connection of its recipient; it is
 * deleted only when the recipient acknowledges it. Live and offline recipients take the same path,
 * so nothing accepted is lost if either side or the relay dies at any moment.
 *
 * <p>All queue access and all per-connection delivery state live on one thread (SQLite has one
 * writer anyway); network threads hand work to it and it writes frames back to channels.
 */
final class DeliveryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);

  /** Envelopes pushed to one connection and not yet acknowledged, at most. */
  static final int WINDOW = 64;

  /** Most changes committed in one transaction. */
  static final int MAX_BATCH = 512;

  private final OfflineQueue queue;
  private final ScheduledExecutorService storeThread;
  private final Map<String, List<Pump>> pumps = new HashMap<>();
  private final Queue<Op> pendingOps = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  DeliveryService(OfflineQueue queue) {
    this.queue = requireNonNull(queue, "queue");
    this.storeThread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ztchat-store");
      t.setDaemon(true);
      return t;
    });
    storeThread.scheduleWithFixedDelay(this::purge, 1, 60, TimeUnit.SECONDS);
  }

  /** One connection's delivery cursor: what was pushed and not yet acknowledged. */
  private final class Pump {
    final Channel channel;
    final String identity;
    final Set<String> inFlight = new LinkedHashSet<>();
    long lastPushedSeq;

    Pump(Channel channel, String identity) {
      this.channel = channel;
      this.identity = identity;
    }

    void fill() {
      if (!channel.isActive() || inFlight.size() >= WINDOW) {
        return;
      }
      try {
        for (QueuedEnvelope e : queue.after(identity, lastPushedSeq, WINDOW - inFlight.size())) {
          lastPushedSeq = e.seq();
          inFlight.add(key(e.sender(), e.messageId()));
          channel.write(new Frame.Deliver(e.envelope()), channel.voidPromise());
        }
        channel.flush();
      } catch (IOException ex) {
        LOG.error("delivery to {} paused: {}", identity, ex.getMessage());
      }
    }
  }

  private static String key(String sender, String messageId) {
    return sender + "/" + messageId;
  }

  /** Starts delivering {@code identity}'s queue (backlog first, then new envelopes) to {@code channel}. */
  void attach(Channel channel, String identity) {
    storeThread.execute(() -> {
      Pump pump = new Pump(channel, identity);
      pumps.computeIfAbsent(identity, k -> new ArrayList<>()).add(pump);
      pump.fill();
    });
    channel.closeFuture().addListener(f -> storeThread.execute(() -> {
      List<Pump> list = pumps.get(identity);
      if (list != null) {
        list.removeIf(p -> p.channel == channel);
        if (list.isEmpty()) {
          pumps.remove(identity);
        }
      }
    }));
  }

  /**
   * Stores {@code envelope} for every recipient the directory knows, then answers the sender with
   * one status per recipient, then pushes to live recipients.
   */
  void accept(Channel from, String ref, EnvelopeHeader header, byte[] envelope, Predicate<String> knownUser) {
    submit(new Op() {
      final List<String> known = header.recipients().stream().filter(knownUser).toList();
      Map<String, EnqueueOutcome> outcomes = Map.of();

      @Override
      public void apply() throws IOException {
        if (!known.isEmpty()) {
          outcomes = queue.enqueue(known, header.sender(), header.messageIdHex(), envelope);
        }
      }

      @Override
      public void committed() {
        List<Frame.Delivery> results = new ArrayList<>();
        for (String r : header.recipients()) {
          EnqueueOutcome o = outcomes.get(r);
          DeliveryStatus status;
          if (o == null) {
            status = DeliveryStatus.UNKNOWN;
          } else if (o == EnqueueOutcome.QUEUE_FULL) {
            status = DeliveryStatus.FULL;
          } else {
            status = pumps.containsKey(r) ? DeliveryStatus.DELIVERED : DeliveryStatus.QUEUED;
          }
          results.add(new Frame.Delivery(r, status));
        }
        from.writeAndFlush(new Frame.Sent(ref, header.messageIdHex(), results));
        for (String r : known) {
          pumps.getOrDefault(r, List.of()).forEach(Pump::fill);
        }
      }

      @Override
      public void failed(IOException e) {
        LOG.error("could not store envelope {} from {}: {}", header.messageIdHex(), header.sender(), e.getMessage());
        from.writeAndFlush(new Frame.Error(ref, ErrorCode.INTERNAL, "the server could not store the message; try again later"));
      }
    });
  }

  /** {@code identity} processed the envelope ({@code sender}, {@code messageId}): delete it, push more. */
  void acknowledge(Channel channel, String identity, String ref, String sender, String messageId) {
    submit(new Op() {
      @Override
      public void apply() throws IOException {
        queue.remove(identity, sender, messageId);
      }

      @Override
      public void committed() {
        String k = key(sender, messageId);
        for (Pump p : pumps.getOrDefault(identity, List.of())) {
          p.inFlight.remove(k);
          p.fill();
        }
        channel.writeAndFlush(new Frame.Ok(ref));
      }

      @Override
      public void failed(IOException e) {
        LOG.error("could not remove acknowledged envelope: {}", e.getMessage());
        channel.writeAndFlush(new Frame.Error(ref, ErrorCode.INTERNAL, "the server could not record the acknowledgement"));
      }
    });
  }

  /** A change to the queue: applied inside a batch transaction, answered after the commit. */
  private interface Op {
    void apply() throws IOException;

    void committed();

    void failed(IOException e);
  }

  private void submit(Op op) {
    pendingOps.add(op);
    if (drainScheduled.compareAndSet(false, true)) {
      storeThread.execute(this::drain);
    }
  }

  /** Applies every pending change in one transaction (one disk sync), then answers them in order. */
  private void drain() {
    drainScheduled.set(false);
    List<Op> batch = new ArrayList<>();
    Op op;
    while (batch.size() < MAX_BATCH && (op = pendingOps.poll()) != null) {
      batch.add(op);
    }
    if (!batch.isEmpty()) {
      try {
        queue.transaction(() -> {
          for (Op o : batch) {
            o.apply();
          }
        });
        batch.forEach(Op::committed);
      } catch (IOException e) {
        batch.forEach(o -> o.failed(e));
      }
    }
    if (!pendingOps.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      storeThread.execute(this::drain);
    }
  }

  private void purge() {
    try {
      int n = queue.purgeExpired();
      if (n > 0) {
        LOG.info("purged {} expired envelopes", n);
      }
    } catch (IOException e) {
      LOG.warn("purging expired envelopes failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    storeThread.shutdown();
    try {
      storeThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.close();
  }
}
