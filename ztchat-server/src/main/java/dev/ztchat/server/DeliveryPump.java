package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.store.QueuedEnvelope;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One connection's delivery cursor: pushes its identity's stored envelopes in order, keeping at most
 * {@link #WINDOW} unacknowledged (docs/PROTOCOL.md section 9). It holds a short run of envelopes
 * already committed to the store, read in pages of {@link #PAGE} or handed over as they are
 * committed, so pushing never waits for the store.
 *
 * <p>A window slot is freed when the client's {@code ack} arrives, not when its delete commits:
 * the cursor has moved past the envelope, so it is not pushed again on this connection, and until
 * the delete is durable it is still stored and would be pushed again on the next connection. Only
 * the {@code ok} to the ack waits for the commit.
 *
 * <p>Every method runs on the channel's event loop. Pages and hand-overs come from the single store
 * thread, in the order of its reads and commits; that order is what keeps the cursor gap-free: a
 * hand-over that arrives while the store may hold envelopes the pump has not read is ignored (the
 * next page brings it), and a page always ends at the newest commit made before it was read.
 */
final class DeliveryPump {
  /** Envelopes pushed to one connection and not yet acknowledged, at most. */
  static final int WINDOW = 64;

  /** Envelopes read from the store at a time. */
  static final int PAGE = 512;

  /** Reads pages of a queue for a pump; the answer comes back on the pump's event loop. */
  interface PageSource {
    void read(DeliveryPump pump, long afterSeq, int limit);
  }

  private final Channel channel;
  private final String identity;
  private final PageSource source;
  private final ArrayDeque<QueuedEnvelope> ready = new ArrayDeque<>();
  private final Set<String> inFlight = new HashSet<>();
  private long lastSeq;
  private boolean reading = true; // the store thread reads the first page when it registers the pump
  private boolean storeAhead = true;
  private boolean flushScheduled;

  DeliveryPump(Channel channel, String identity, PageSource source) {
    this.channel = requireNonNull(channel, "channel");
    this.identity = requireNonNull(identity, "identity");
    this.source = requireNonNull(source, "source");
  }

  Channel channel() {
    return channel;
  }

  String identity() {
    return identity;
  }

  static String key(String sender, String messageId) {
    return sender + "/" + messageId;
  }

  /** A page read after {@link #lastSeq}; a full page means the store may hold more. */
  void onPage(List<QueuedEnvelope> page, int limit) {
    reading = false;
    take(page);
    storeAhead = page.size() >= limit;
    push();
  }

  /** The page could not be read; the next event (an ack, a new envelope) tries again. */
  void onPageFailed() {
    reading = false;
    storeAhead = true;
  }

  /** Envelopes just committed for this identity, in commit order. */
  void offer(List<QueuedEnvelope> committed) {
    if (reading || storeAhead) {
      return; // the next page reads them
    }
    if (ready.size() + committed.size() > PAGE) {
      storeAhead = true; // bounded memory: leave them in the store and read them as a page
    } else {
      take(committed);
    }
    push();
  }

  /** The client acknowledged {@code key} (on this connection or another of the same identity). */
  void acked(String key) {
    if (inFlight.remove(key)) {
      push();
    }
  }

  private void flush() {
    flushScheduled = false;
    channel.flush();
  }

  private void take(List<QueuedEnvelope> envelopes) {
    for (QueuedEnvelope e : envelopes) {
      if (e.seq() > lastSeq) {
        ready.add(e);
        lastSeq = e.seq();
      }
    }
  }

  private void push() {
    if (!channel.isActive()) {
      return;
    }
    boolean wrote = false;
    QueuedEnvelope e;
    while (inFlight.size() < WINDOW && (e = ready.poll()) != null) {
      inFlight.add(key(e.sender(), e.messageId()));
      channel.write(new Frame.Deliver(e.envelope()), channel.voidPromise());
      AckCredits.grant(channel);
      wrote = true;
    }
    if (wrote && !flushScheduled) {
      // Acks arrive many to a read: one flush after the event loop has handled them all sends one
      // TLS record for the lot instead of one per freed slot.
      flushScheduled = true;
      channel.eventLoop().execute(this::flush);
    }
    if (storeAhead && !reading && ready.size() < PAGE / 2) {
      reading = true;
      source.read(this, lastSeq, PAGE);
    }
  }
}
