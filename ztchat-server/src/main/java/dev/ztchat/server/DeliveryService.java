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
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
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
 * sender hears "accepted", then pushed, in order, to each live connection of its recipient by that
 * connection's {@link DeliveryPump}; it is deleted only when the recipient acknowledges it, and the
 * {@code ok} to the acknowledgement is sent only once the delete is committed. Live and offline
 * recipients take the same path, so nothing accepted is lost if either side or the relay dies at
 * any moment.
 *
 * <p>All queue access happens on one store thread (SQLite has one writer anyway), which groups
 * changes into one transaction per batch and reads pages for the pumps between batches, so a pump
 * only ever sees committed envelopes. Answers of a batch are handed to each channel's event loop
 * once per batch.
 */
final class DeliveryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);
  private static final AttributeKey<DeliveryPump> PUMP = AttributeKey.valueOf(DeliveryService.class, "pump");

  /** Most changes committed in one transaction. */
  static final int MAX_BATCH = 1024;

  private final OfflineQueue queue;
  private final ScheduledExecutorService storeThread;
  private final Map<String, List<DeliveryPump>> pumps = new HashMap<>();
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

  /** Starts delivering {@code identity}'s queue (backlog first, then new envelopes) to {@code channel}. */
  void attach(Channel channel, String identity) {
    DeliveryPump pump = new DeliveryPump(channel, identity, this::readPage);
    channel.attr(PUMP).set(pump);
    storeThread.execute(() -> {
      pumps.computeIfAbsent(identity, k -> new ArrayList<>()).add(pump);
      doReadPage(pump, 0, DeliveryPump.PAGE);
    });
    channel.closeFuture().addListener(f -> storeThread.execute(() -> {
      List<DeliveryPump> list = pumps.get(identity);
      if (list != null) {
        list.remove(pump);
        if (list.isEmpty()) {
          pumps.remove(identity);
        }
      }
    }));
  }

  /** Asks the store thread for a page for {@code pump}. */
  private void readPage(DeliveryPump pump, long afterSeq, int limit) {
    storeThread.execute(() -> doReadPage(pump, afterSeq, limit));
  }

  /** Reads a page on the store thread, outside any transaction (so committed envelopes only). */
  private void doReadPage(DeliveryPump pump, long afterSeq, int limit) {
    Channel ch = pump.channel();
    if (!ch.isActive()) {
      return;
    }
    try {
      List<QueuedEnvelope> page = queue.after(pump.identity(), afterSeq, limit);
      ch.eventLoop().execute(() -> pump.onPage(page, limit));
    } catch (IOException ex) {
      LOG.error("delivery to {} paused: {}", pump.identity(), ex.getMessage());
      ch.eventLoop().execute(pump::onPageFailed);
    }
  }

  /**
   * Stores {@code envelope} for every recipient the directory knows, then answers the sender with
   * one status per recipient, then hands the stored copies to live recipients' pumps.
   */
  void accept(Channel from, String ref, EnvelopeHeader header, byte[] envelope, Predicate<String> knownUser) {
    submit(new Op() {
      final List<String> known = header.recipients().stream().filter(knownUser).toList();
      final List<QueuedEnvelope> stored = new ArrayList<>();
      Map<String, EnqueueOutcome> outcomes = Map.of();

      @Override
      public void apply() throws IOException {
        stored.clear();
        if (!known.isEmpty()) {
          outcomes = queue.enqueue(known, header.sender(), header.messageIdHex(), envelope, stored::add);
        }
      }

      @Override
      public void committed(BatchReplies out) {
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
        out.send(from, new Frame.Sent(ref, header.messageIdHex(), results));
        for (QueuedEnvelope e : stored) {
          for (DeliveryPump p : pumps.getOrDefault(e.recipient(), List.of())) {
            out.offer(p, e);
          }
        }
      }

      @Override
      public void failed(IOException e) {
        LOG.error("could not store envelope {} from {}: {}", header.messageIdHex(), header.sender(), e.getMessage());
        from.writeAndFlush(new Frame.Error(ref, ErrorCode.INTERNAL, "the server could not store the message; try again later"));
      }
    });
  }

  /**
   * {@code identity} processed the envelope ({@code sender}, {@code messageId}): frees its window
   * slot on this connection at once, deletes it, and answers {@code ok} once the delete is durable.
   * Called on {@code channel}'s event loop.
   */
  void acknowledge(Channel channel, String identity, String ref, String sender, String messageId) {
    String key = DeliveryPump.key(sender, messageId);
    DeliveryPump own = channel.attr(PUMP).get();
    if (own != null) {
      if (channel.eventLoop().inEventLoop()) {
        own.acked(key);
      } else {
        channel.eventLoop().execute(() -> own.acked(key));
      }
    }
    submit(new Op() {
      @Override
      public void apply() throws IOException {
        queue.remove(identity, sender, messageId);
      }

      @Override
      public void committed(BatchReplies out) {
        for (DeliveryPump p : pumps.getOrDefault(identity, List.of())) {
          if (p != own) {
            out.acked(p, key);
          }
        }
        out.send(channel, new Frame.Ok(ref));
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

    void committed(BatchReplies out);

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
        BatchReplies out = new BatchReplies();
        batch.forEach(o -> o.committed(out));
        out.deliver();
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
