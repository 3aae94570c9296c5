package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.QueuedEnvelope;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's delivery cursor: pushes its identity's stored envelopes in order, keeping at
 * most {@link #WINDOW} unacknowledged, or up to {@link #MAX_WINDOW} and {@link #WINDOW_BYTES} on a
 * connection that announced a larger live window (docs/PROTOCOL.md section 9). It holds a short run
 * of envelopes already committed to the store, read in pages of {@link #PAGE} or handed over as
 * they are committed, so pushing never waits for the store.
 *
 * <p>A window slot is freed when the client's {@code ack} arrives, not when its delete commits: the
 * cursor has moved past the envelope, so it is not pushed again on this connection, and until the
 * delete is durable it is still stored and would be pushed again on the next connection. Only the
 * {@code ok} to the ack waits for the commit.
 *
 * <p>Every method runs on the channel's event loop. Pages and hand-overs come from the single store
 * thread, in the order of its reads and commits; that order is what keeps the cursor gap-free: a
 * hand-over that arrives while the store may hold envelopes the pump has not read is ignored (the
 * next page brings it), and a page always ends at the newest commit made before it was read.
 *
 * <p>While it is its identity's only connection and has caught up with the store, the pump also
 * takes envelopes straight from memory before the store writes them ({@link #offerLive}). It holds
 * them until nothing accepted earlier for its identity is still on its way through the store
 * ({@link AcceptanceOrder}) and its window has room, then pushes them; one the store claims first
 * is dropped here and comes back, in order, as the store's copy. When the store's copy of an
 * envelope pushed from memory arrives, it is recognised and not pushed again.
 */
final class DeliveryPump {
  /** Envelopes pushed to one connection and not yet acknowledged, at most. */
  static final int WINDOW = ProtocolLimits.DEFAULT_LIVE_WINDOW;

  /**
   * The largest window a connection may announce ({@code features}' {@code window}): a sender may
   * keep hundreds of envelopes unanswered (the bench's load client 512), and a recipient that holds
   * as many keeps them on the memory path instead of the store.
   */
  static final int MAX_WINDOW = ProtocolLimits.MAX_LIVE_WINDOW;

  /**
   * A push beyond the first {@link #WINDOW} envelopes is made only while the envelopes pushed and
   * unacknowledged total fewer bytes than this: what a larger window may cost the relay in memory
   * per connection (envelopes pushed from memory are held until their ack, and frames the client
   * has not read wait in the connection's buffer).
   */
  static final int WINDOW_BYTES = 1 << 20;

  /**
   * Envelopes read from the store at a time. A connection holds fewer than one and a half pages
   * ready: with envelopes of up to 12312 bytes (the default {@code maxFrame} of 16384) about 2.3
   * MiB, what pages of 512 envelopes of the earlier 3096 bytes took. Twice the window keeps the
   * window full.
   */
  static final int PAGE = 128;

  /** Reads pages of a queue for a pump; the answer comes back on the pump's event loop. */
  interface PageSource {
    void read(DeliveryPump pump, long afterSeq, int limit);
  }

  private final Channel channel;
  private final String identity;
  private final String device;
  private final PageSource source;
  private final ArrayDeque<QueuedEnvelope> ready = new ArrayDeque<>();

  /** Pushed and unacknowledged: key to the envelope's length. */
  private final Map<String, Integer> inFlight = new HashMap<>();

  private final Map<String, LiveEnvelope> live = new HashMap<>();
  private final ArrayDeque<LiveEnvelope> held = new ArrayDeque<>();
  private final AcceptanceOrder order;
  private volatile boolean mayPushLive;
  private int window;
  private long inFlightBytes;
  private long lastSeq;
  private boolean reading =
      true; // the store thread reads the first page when it registers the pump
  private boolean storeAhead = true;

  /** Woken while a page was being read: that page may have been read before the commit. */
  private boolean wokenWhileReading;

  DeliveryPump(Channel channel, String identity, PageSource source, AcceptanceOrder order) {
    this(channel, identity, OfflineQueue.ANY_DEVICE, source, order);
  }

  /**
   * A pump for {@code identity}'s device {@code device} (hex device id, or {@link
   * OfflineQueue#ANY_DEVICE} for a connection without a device certificate).
   */
  DeliveryPump(
      Channel channel, String identity, String device, PageSource source, AcceptanceOrder order) {
    this.channel = requireNonNull(channel, "channel");
    this.identity = requireNonNull(identity, "identity");
    this.device = requireNonNull(device, "device");
    this.source = requireNonNull(source, "source");
    this.order = requireNonNull(order, "order");
    this.window = ConnectionFeatures.window(channel); // announced before this pump was made
  }

  Channel channel() {
    return channel;
  }

  String identity() {
    return identity;
  }

  /** The device this connection reads for: hex device id or {@link OfflineQueue#ANY_DEVICE}. */
  String device() {
    return device;
  }

  /**
   * Whether an envelope stored for {@code targets} is for this connection: one without a device
   * takes every envelope of its person, as before devices.
   */
  boolean takes(List<String> targets) {
    return OfflineQueue.ANY_DEVICE.equals(device)
        || targets.contains(OfflineQueue.ANY_DEVICE)
        || targets.contains(device);
  }

  static String key(String sender, String messageId) {
    return sender + "/" + messageId;
  }

  /**
   * The connection announced a larger live window: the pump takes the window {@link
   * ConnectionFeatures} granted it (bounded once, there) and pushes what it now has room for.
   */
  void windowAnnounced() {
    window = ConnectionFeatures.window(channel);
    push();
  }

  /** The window granted for {@code requested}: never below {@link #WINDOW} nor above the bound. */
  static int bounded(int requested) {
    return Math.clamp(requested, WINDOW, MAX_WINDOW);
  }

  /** Set by the store thread: this is its identity's only connection (see {@link #offerLive}). */
  void allowLive() {
    mayPushLive = true;
  }

  /**
   * Set by the store thread when another connection of the identity appears: never again from
   * memory.
   */
  void forbidLive() {
    mayPushLive = false;
  }

  /**
   * An envelope accepted for this identity and not yet written to the store. Held for a push from
   * memory while this pump may take it (it is the identity's only connection, it has caught up with
   * the store, it holds fewer than a page, and it has not seen this envelope); declined otherwise,
   * and then the store writes it at once and hands it over in order.
   */
  void offerLive(LiveEnvelope envelope) {
    String key = envelope.key();
    if (!mayPushLive
        || !channel.isActive()
        || reading
        || storeAhead
        || held.size() >= PAGE
        || inFlight.containsKey(key)
        || live.containsKey(key)) {
      envelope.decline();
      return;
    }
    held.add(envelope);
    push();
  }

  /** Envelopes accepted earlier were settled: held ones may now be due. */
  void orderAdvanced() {
    if (!held.isEmpty()) {
      push();
    }
  }

  /** A page read after {@link #lastSeq}; a full page means the store may hold more. */
  void onPage(List<QueuedEnvelope> page, int limit) {
    reading = false;
    take(page);
    if (!live.isEmpty()) {
      // copies pushed from memory whose stored row was deleted before this pump read it
      live.values()
          .removeIf(e -> e.seq() == LiveEnvelope.NO_COPY || (e.seq() > 0 && e.seq() <= lastSeq));
    }
    storeAhead = page.size() >= limit || wokenWhileReading;
    wokenWhileReading = false;
    push();
  }

  /**
   * Envelopes for this identity may have been committed that no hand-over brings (another relay
   * node stored them, or a notice of it may have been lost): read the store again, in order, as for
   * any page. A page already being read may predate them, so another follows it.
   */
  void wake() {
    if (reading) {
      wokenWhileReading = true;
      return;
    }
    storeAhead = true;
    push();
  }

  /** The page could not be read; the next event (an ack, a new envelope) tries again. */
  void onPageFailed() {
    reading = false;
    storeAhead = true;
    releaseHeld();
  }

  /** Envelopes just committed for this identity, in commit order. */
  void offer(List<QueuedEnvelope> committed) {
    if (reading || storeAhead) {
      return; // the next page reads them
    }
    if (storedAfterUnread(committed)) {
      // another relay node stored envelopes before these that this connection has not read: the
      // page reads them all, in order (its notice may still be on its way)
      storeAhead = true;
    } else if (ready.size() + committed.size() > PAGE) {
      storeAhead = true; // bounded memory: leave them in the store and read them as a page
      releaseHeld();
    } else {
      take(committed);
    }
    push();
  }

  /** Whether one of {@code committed} was stored after an envelope this pump has not read. */
  private boolean storedAfterUnread(List<QueuedEnvelope> committed) {
    long seen = lastSeq;
    for (QueuedEnvelope e : committed) {
      if (e.storedAfter() > seen) {
        return true;
      }
      seen = Math.max(seen, e.seq());
    }
    return false;
  }

  /** Another connection of the same identity acknowledged {@code key}. */
  void acked(String key) {
    if (settleSlot(key)) {
      push();
    }
  }

  /**
   * The client acknowledged {@code key} on this connection. Returns the envelope when it was pushed
   * from memory and the store had not written it yet: it never will, and the caller answers its
   * sender; null otherwise (the stored copy is deleted as usual).
   */
  LiveEnvelope ackedHere(String key) {
    if (!settleSlot(key)) {
      return null;
    }
    LiveEnvelope settled = live.get(key);
    if (settled != null && settled.acknowledge()) {
      live.remove(key);
    } else {
      if (settled != null && settled.seq() == LiveEnvelope.NO_COPY) {
        live.remove(key); // no stored copy will come to recognise
      }
      settled = null;
    }
    push();
    return settled;
  }

  /** Frees {@code key}'s window slot; false when it held none. */
  private boolean settleSlot(String key) {
    Integer length = inFlight.remove(key);
    if (length == null) {
      return false;
    }
    inFlightBytes -= length;
    return true;
  }

  /** Whether the window has room for one more push. */
  private boolean windowOpen() {
    int n = inFlight.size();
    return n < WINDOW || (n < window && inFlightBytes < WINDOW_BYTES);
  }

  private void write(String key, byte[] envelope) {
    inFlight.put(key, envelope.length);
    inFlightBytes += envelope.length;
    channel.write(ConnectionFeatures.deliver(channel, envelope), channel.voidPromise());
    AckCredits.grant(channel);
    // Acks arrive many to a read: the pipeline's flush consolidation (RelayServerInitializer)
    // makes one flush, after the read or the event loop's queued tasks, for every frame pushed
    // meanwhile.
    channel.flush();
  }

  private void take(List<QueuedEnvelope> envelopes) {
    for (QueuedEnvelope e : envelopes) {
      if (e.seq() > lastSeq) {
        lastSeq = e.seq();
        if (live.isEmpty() || live.remove(key(e.sender(), e.messageId())) == null) {
          ready.add(e);
        } // else: the store's copy of an envelope already pushed from memory
      }
    }
  }

  /** Gives every held envelope back to the store (which writes it at once). */
  private void releaseHeld() {
    LiveEnvelope h;
    while ((h = held.poll()) != null) {
      h.decline();
    }
  }

  /**
   * Pushes what is due, oldest first: the store's envelopes (all accepted before any envelope still
   * held: the store applies changes in order and leaves a held envelope's write until it gave up
   * waiting), then held ones, each only once nothing accepted before it is unsettled.
   */
  private void push() {
    if (!channel.isActive()) {
      releaseHeld();
      return;
    }
    while (windowOpen()) {
      QueuedEnvelope e = ready.poll();
      if (e != null) {
        write(key(e.sender(), e.messageId()), e.envelope());
        continue;
      }
      LiveEnvelope h = held.peek();
      if (h != null && !h.isOffered()) {
        held.poll(); // the store claimed it: its copy comes with a hand-over, and settles it
        continue;
      }
      if (h == null || reading || storeAhead || !order.nothingBefore(identity, h.ticket())) {
        break;
      }
      held.poll();
      if (h.push()) {
        order.settle(identity, h.ticket());
        live.put(h.key(), h);
        write(h.key(), h.envelope());
      }
    }
    if (storeAhead && !reading && ready.size() < PAGE / 2) {
      reading = true;
      source.read(this, lastSeq, PAGE);
    }
  }
}
