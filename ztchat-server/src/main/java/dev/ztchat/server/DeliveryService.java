package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.store.EnqueueOutcome;
import dev.ztchat.server.store.EnvelopeId;
import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.QueueLimits;
import dev.ztchat.server.store.QueueStats;
import dev.ztchat.server.store.QueuedEnvelope;
import dev.ztchat.server.store.StoreReachability;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.PromiseCombiner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;
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
 * <p>One shortcut, for a recipient with exactly one live connection that has caught up: the
 * envelope is pushed from memory at once ({@link LiveEnvelope}) while its write waits in the
 * store's queue. If the recipient acknowledges it before the store gets to it, it is never written:
 * the sender hears {@code delivered} (the recipient has it, durably, by the meaning of {@code ack})
 * and then the recipient hears {@code ok}. Otherwise it is written and handled like any other. The
 * sender keeps its envelope until it hears {@code sent} either way, so a crash before either only
 * ever leads to a redelivery (docs/PROTOCOL.md section 9). {@link AcceptanceOrder} keeps the
 * shortcut from overtaking an envelope still on its way through the store.
 *
 * <p>All queue access happens on one store thread (SQLite has one writer anyway), which groups
 * changes into one transaction per batch and reads pages for the pumps between batches, so a pump
 * only ever sees committed envelopes. Answers of a batch are handed to each channel's event loop
 * once per batch. With a store that other relay nodes write too, their envelopes reach this node's
 * pumps as pages read when the store tells of them ({@link CrossNodeWakeUp}).
 *
 * <p>What a sender learns of a recipient's presence is limited to the recipient's choice: {@code
 * sent} says {@code delivered} only for a recipient who has sent the sender a message through this
 * relay (the store's contacts), {@code queued} for anyone else, online or not (docs/SECURITY.md).
 * An envelope whose receivers would already refuse it as too old is refused, not stored.
 */
final class DeliveryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);
  private static final AttributeKey<DeliveryPump> PUMP =
      AttributeKey.valueOf(DeliveryService.class, "pump");

  /** Most changes committed in one transaction. */
  static final int MAX_BATCH = 1024;

  /**
   * How long the store leaves an envelope pushed from memory alone, so that the recipient's ack can
   * settle it without a write. Only later envelopes for the same recipient wait behind it (order is
   * per recipient); every other change goes ahead.
   */
  static final long LIVE_ACK_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(30);

  private final OfflineQueue queue;
  private final DeliveryMeters meters;

  /** Which of the users given are online on other relay nodes (none with one node). */
  private final Function<Set<String>, Set<String>> online;

  /** Monotonic time for the store's scheduling (System::nanoTime; tests pass their own). */
  private final LongSupplier nanoTime;

  private final ScheduledExecutorService storeThread;
  private final Map<String, List<DeliveryPump>> pumps = new HashMap<>();

  /** Each identity's only live connection, when it has exactly one; written on the store thread. */
  private final Map<String, DeliveryPump> solePumps = new ConcurrentHashMap<>();

  /**
   * Each user's registered devices (hex device ids): those that connected with their device
   * certificate; read from the store at start, added to on the event loops and when another node
   * registered one ({@link CrossNodeDevices}), read anywhere.
   */
  private final Map<String, Set<String>> registered = new ConcurrentHashMap<>();

  /**
   * The persons delivered to per device: those with a registered named device (docs/v2/devices.md
   * section 4.1); everyone else keeps the rule before devices.
   */
  private final Set<String> perDevice = ConcurrentHashMap.newKeySet();

  private final AcceptanceOrder order = new AcceptanceOrder();
  private final Queue<Op> pendingOps = new ConcurrentLinkedQueue<>();

  /**
   * Deletions of acknowledged envelopes, which the store takes before the changes of {@link
   * #pendingOps}: an acknowledgement never waits behind more than the batch being written.
   */
  private final Queue<Op> pendingAcks = new ConcurrentLinkedQueue<>();

  /**
   * Changes taken from {@link #pendingOps} that are not due yet, or are behind one that is not for
   * one of the same recipients, in arrival order; store thread only.
   */
  private final List<Op> waitingOps = new ArrayList<>();

  /** The drain scheduled for when the first waiting change is due, and that time; store thread. */
  private ScheduledFuture<?> timedDrain;

  private long timedDrainAt;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  DeliveryService(OfflineQueue queue) {
    this(queue, System::nanoTime);
  }

  DeliveryService(OfflineQueue queue, LongSupplier nanoTime) {
    this(queue, nanoTime, new SimpleMeterRegistry());
  }

  DeliveryService(OfflineQueue queue, LongSupplier nanoTime, MeterRegistry meters) {
    this(queue, nanoTime, meters, users -> Set.of());
  }

  /**
   * As {@link #DeliveryService(OfflineQueue, LongSupplier, MeterRegistry)}, on one of several relay
   * nodes: {@code online} tells which of the users given, not connected here, are online on another
   * node (it may block; it is called on the store thread).
   */
  DeliveryService(
      OfflineQueue queue,
      LongSupplier nanoTime,
      MeterRegistry meters,
      Function<Set<String>, Set<String>> online) {
    this.queue = requireNonNull(queue, "queue");
    this.online = requireNonNull(online, "online");
    this.meters = new DeliveryMeters(meters);
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    try { // before the store thread starts: the queue is not shared yet
      queue
          .registeredDevices()
          .forEach(
              (owner, devices) -> {
                Set<String> set = ConcurrentHashMap.newKeySet();
                set.addAll(devices);
                registered.put(owner, set);
              });
      perDevice.addAll(queue.ownersWithNamedDevices());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.storeThread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-store");
              t.setDaemon(true);
              return t;
            });
    storeThread.scheduleWithFixedDelay(this::purge, 1, 60, TimeUnit.SECONDS);
    queue.listenForOtherNodes(new CrossNodeWakeUp(storeThread, queue, pumps));
    queue.listenForDevicesOfOtherNodes(
        new CrossNodeDevices(storeThread, queue, registered, perDevice));
  }

  /**
   * Starts delivering {@code identity}'s queue (backlog first, then new envelopes) to {@code
   * channel}.
   */
  void attach(Channel channel, String identity) {
    String device = deviceOf(channel);
    ConnectionCertificate cert = ConnectionIdentity.certificateOf(channel);
    boolean named = cert != null && cert.namedDevice();
    if (named) {
      perDevice.add(identity);
    }
    DeliveryPump pump = new DeliveryPump(channel, identity, device, this::readPage, order);
    channel.attr(PUMP).set(pump);
    if (!OfflineQueue.ANY_DEVICE.equals(device)) {
      registered.computeIfAbsent(identity, k -> ConcurrentHashMap.newKeySet()).add(device);
    }
    storeThread.execute(
        () -> {
          if (!OfflineQueue.ANY_DEVICE.equals(device)) {
            try {
              queue.registerDevice(identity, device, named);
            } catch (IOException e) {
              LOG.error("registering a device of {} failed: {}", identity, e.getMessage());
            }
          }
          List<DeliveryPump> list = pumps.computeIfAbsent(identity, k -> new ArrayList<>());
          list.add(pump);
          if (list.size() == 1) {
            pump.allowLive();
            solePumps.put(identity, pump);
          } else {
            // several connections: each gets every envelope through the store, none from memory
            list.forEach(DeliveryPump::forbidLive);
            solePumps.remove(identity);
          }
          doReadPage(pump, 0, DeliveryPump.PAGE);
          try {
            queue.contactsOf(identity); // read once, so that answers from memory can consult it
          } catch (IOException e) {
            LOG.error("reading {}'s contacts failed: {}", identity, e.getMessage());
          }
        });
    channel
        .closeFuture()
        .addListener(
            f ->
                storeThread.execute(
                    () -> {
                      pump.forbidLive();
                      solePumps.remove(identity, pump);
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
      List<QueuedEnvelope> page = queue.after(pump.identity(), pump.device(), afterSeq, limit);
      ch.eventLoop().execute(() -> pump.onPage(page, limit));
    } catch (IOException ex) {
      LOG.error("delivery to {} paused: {}", pump.identity(), ex.getMessage());
      ch.eventLoop().execute(pump::onPageFailed);
    }
  }

  /**
   * Stores {@code envelope} for every recipient the directory knows, then answers the sender with
   * one status per recipient, then hands the stored copies to live recipients' pumps. An envelope
   * for one recipient with one live connection is offered to that connection from memory first.
   * Called on {@code from}'s event loop.
   */
  void accept(
      Channel from,
      String ref,
      RoutingPrefix header,
      byte[] envelope,
      Predicate<String> knownUser) {
    accept(from, ref, header, envelope, knownUser, user -> Set.of());
  }

  /**
   * As {@link #accept(Channel, String, RoutingPrefix, byte[], Predicate)}, storing each recipient's
   * copy for its devices: the registered ones among {@code currentDevices} (hex device ids of the
   * user's device certificates valid now and not revoked), without the sending device when the
   * sender names itself; for any device when none is left (docs/v2/devices.md section 4).
   */
  void accept(
      Channel from,
      String ref,
      RoutingPrefix header,
      byte[] envelope,
      Predicate<String> knownUser,
      Function<String, Set<String>> currentDevices) {
    if (queue.alreadyExpired(header.timestampMillis())) {
      meters.expired().increment();
      from.writeAndFlush(expired(ref));
      return;
    }
    String senderDevice = deviceOf(from);
    Map<String, List<String>> targets = new HashMap<>();
    List<String> known = new ArrayList<>();
    for (String r : header.recipients()) {
      if (!knownUser.test(r)) {
        continue;
      }
      List<String> t = targets(r, header.sender(), senderDevice, currentDevices);
      if (!t.isEmpty()) {
        targets.put(r, t);
        known.add(r);
      }
    }
    Map<String, Long> tickets = new HashMap<>();
    for (String r : known) {
      tickets.put(r, order.admit(r));
    }
    LiveEnvelope live = null;
    DeliveryPump livePump = null;
    if (known.size() == 1 && header.recipients().size() == 1) {
      String r = known.getFirst();
      DeliveryPump pump = solePumps.get(r);
      // from memory only to the one device the envelope is for: an ack there settles it for all
      if (pump != null && targets.get(r).size() == 1 && pump.takes(targets.get(r))) {
        live =
            new LiveEnvelope(from, ref, header, envelope, r, tickets.get(r), nanoTime.getAsLong());
        livePump = pump;
      }
    }
    LiveEnvelope liveCopy = live;
    submit(
        new Op() {
          final List<QueuedEnvelope> stored = new ArrayList<>();
          Map<String, EnqueueOutcome> outcomes = Map.of();
          /* Recipients who have sent the sender a message: they may be reported as online. */
          final Set<String> visible = new HashSet<>();
          /* Those of them online on another relay node. */
          Set<String> elsewhere = Set.of();
          boolean acknowledgedFromMemory;

          @Override
          public long notBefore() {
            return liveCopy == null ? 0 : liveCopy.storeNotBefore(LIVE_ACK_GRACE_NANOS);
          }

          @Override
          public List<String> orderedFor() {
            return known;
          }

          @Override
          public void apply() throws IOException {
            stored.clear();
            visible.clear();
            if (liveCopy != null && !liveCopy.claimForStore()) {
              acknowledgedFromMemory = true; // the recipient has it; its ack answered the sender
              queue.recordContact(liveCopy.recipient(), header.sender());
              return;
            }
            if (!known.isEmpty()) {
              outcomes =
                  queue.enqueue(
                      known,
                      header.sender(),
                      header.messageIdHex(),
                      header.timestampMillis(),
                      envelope,
                      targets::get,
                      stored::add,
                      // the recipient holds a copy pushed from memory: "full" would be untrue
                      liveCopy != null && liveCopy.wasPushed()
                          ? OfflineQueue.Quotas.WAIVED_FOR_A_PUSHED_COPY
                          : OfflineQueue.Quotas.CHECKED);
              Set<String> contacts = queue.contactsOf(header.sender());
              known.stream().filter(contacts::contains).forEach(visible::add);
              Set<String> away = new HashSet<>(visible);
              away.removeAll(pumps.keySet());
              elsewhere = away.isEmpty() ? Set.of() : online.apply(away);
            }
            if (liveCopy != null) {
              liveCopy.stored(stored.isEmpty() ? LiveEnvelope.NO_COPY : stored.getFirst().seq());
            }
          }

          @Override
          public void committed(BatchReplies out) {
            if (acknowledgedFromMemory) {
              meters.acceptedAndDelivered();
              return;
            }
            if (outcomes.containsValue(EnqueueOutcome.EXPIRED)) {
              meters.expired().increment();
              out.send(
                  from, expired(ref)); // it expired on its way to the store: nothing was stored
            } else {
              meters.accepted().increment();
              List<Frame.Delivery> results = new ArrayList<>();
              for (String r : header.recipients()) {
                EnqueueOutcome o = outcomes.get(r);
                if (o == null && r.equals(header.sender()) && knownUser.test(r)) {
                  o = EnqueueOutcome.STORED; // the sender's own name, and no other device of it
                }
                results.add(
                    new Frame.Delivery(
                        r,
                        status(
                            o,
                            visible.contains(r)
                                && (pumps.containsKey(r) || elsewhere.contains(r)))));
              }
              out.send(from, new Frame.Sent(ref, header.messageIdHex(), results));
            }
            for (QueuedEnvelope e : stored) {
              for (DeliveryPump p : pumps.getOrDefault(e.recipient(), List.of())) {
                if (p.takes(targets.get(e.recipient()))) {
                  out.offer(p, e);
                }
              }
            }
            settle(out);
          }

          /* The envelope reached its recipients' cursors with this batch: later ones may be pushed
          from memory. */
          private void settle(BatchReplies out) {
            if (liveCopy != null && liveCopy.wasPushed()) {
              return; // settled when it was pushed
            }
            tickets.forEach(
                (r, t) -> {
                  DeliveryPump sole = solePumps.get(r);
                  if (sole != null && pumps.getOrDefault(r, List.of()).size() == 1) {
                    out.settle(sole, t); // after the pump has taken this batch's copy
                  } else {
                    order.settle(r, t);
                  }
                });
          }

          @Override
          public void failed(IOException e) {
            if (liveCopy != null && !liveCopy.claimForStore()) {
              return; // acknowledged from memory: its sender already heard "delivered"
            }
            LOG.error(
                "could not store envelope {} from {}: {}",
                header.messageIdHex(),
                header.sender(),
                e.getMessage());
            if (liveCopy == null || !liveCopy.wasPushed()) {
              tickets.forEach(order::settle);
            }
            from.writeAndFlush(
                new Frame.Error(
                    ref,
                    ErrorCode.INTERNAL,
                    "the server could not store the message; try again later"));
          }
        });
    if (livePump != null) {
      // offered only once its write is on the store's list: a later envelope for the same
      // recipient, sent by anyone after this one was pushed, then always waits behind it there.
      // Should the store claim it first (its grace period over), the pump sees a claimed envelope
      // and leaves it to the store's copy. Handed over with the rest of the read's (LiveOffers).
      LiveOffers.add(from, livePump, liveCopy);
    }
  }

  /** Tells {@code listener} when the store stops answering and when it answers again. */
  void watchStore(StoreReachability listener) {
    queue.watchReachability(listener);
  }

  /** The devices of {@code owner} this node knows as registered (hex device ids). */
  Set<String> registeredDevicesOf(String owner) {
    return Set.copyOf(registered.getOrDefault(owner, Set.of()));
  }

  /**
   * Read-only: the devices a copy for {@code recipient} would be stored for now, as {@link #accept}
   * computes them ({@link OfflineQueue#ANY_DEVICE} alone for a person without named devices); for
   * {@link DeviceSetCheck}.
   */
  List<String> deviceTargets(
      String recipient,
      String sender,
      String senderDevice,
      Function<String, Set<String>> currentDevices) {
    return targets(recipient, sender, senderDevice, currentDevices);
  }

  /**
   * The devices {@code recipient}'s copy is for: its registered devices that are current, less the
   * sending device when the sender names itself (its other devices get a copy, not itself); {@link
   * OfflineQueue#ANY_DEVICE} when none is left, except for the sender's own name (then no copy).
   */
  private List<String> targets(
      String recipient,
      String sender,
      String senderDevice,
      Function<String, Set<String>> currentDevices) {
    if (!perDevice.contains(recipient)) {
      return List.of(OfflineQueue.ANY_DEVICE); // no named device: the rule before devices
    }
    Set<String> mine = registered.getOrDefault(recipient, Set.of());
    List<String> out = new ArrayList<>();
    if (!mine.isEmpty()) {
      Set<String> current = currentDevices.apply(recipient);
      for (String d : mine) {
        if (current.contains(d) && !(recipient.equals(sender) && d.equals(senderDevice))) {
          out.add(d);
        }
      }
    }
    if (out.isEmpty()) {
      return recipient.equals(sender) && !OfflineQueue.ANY_DEVICE.equals(senderDevice)
          ? List.of()
          : List.of(OfflineQueue.ANY_DEVICE);
    }
    out.sort(null);
    return List.copyOf(out);
  }

  /**
   * The device a connection reads for: the hex SHA-256 of its client certificate when that is a
   * device certificate (an EC key, docs/v2/device-certificates.md section 4), else {@link
   * OfflineQueue#ANY_DEVICE}.
   */
  static String deviceOf(Channel channel) {
    ConnectionCertificate cert = ConnectionIdentity.certificateOf(channel);
    return cert == null ? OfflineQueue.ANY_DEVICE : cert.device();
  }

  /** The status a sender hears for one recipient; {@code shownOnline} only for its contacts. */
  private static DeliveryStatus status(EnqueueOutcome o, boolean shownOnline) {
    if (o == null) {
      return DeliveryStatus.UNKNOWN;
    }
    return switch (o) {
      case QUEUE_FULL, SENDER_SHARE_FULL -> DeliveryStatus.FULL;
      case EXPIRED -> throw new IllegalStateException("an expired envelope has no status");
      case STORED, ALREADY_STORED -> shownOnline ? DeliveryStatus.DELIVERED : DeliveryStatus.QUEUED;
    };
  }

  /**
   * The answer to an envelope receivers would already refuse as too old (docs/PROTOCOL.md section
   * 9).
   */
  private static Frame.Error expired(String ref) {
    return new Frame.Error(
        ref,
        ErrorCode.BAD_ENVELOPE,
        "envelope expired: it was sealed more than "
            + QueueLimits.MAX_TTL.toDays()
            + " days ago and receivers refuse older messages, so it was not stored;"
            + " write the message again");
  }

  /**
   * {@code identity}'s contacts (the users who have sent it a message through this relay), read on
   * the store thread, so after every change already committed.
   */
  CompletableFuture<Set<String>> contactsOf(String identity) {
    CompletableFuture<Set<String>> f = new CompletableFuture<>();
    storeThread.execute(
        () -> {
          try {
            f.complete(Set.copyOf(queue.contactsOf(identity)));
          } catch (IOException | RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  /**
   * {@code channel}'s client can hold {@code requested} pushed envelopes unacknowledged ({@code
   * features}): its pump's window grows (bounded) now, or when it is attached. Called on {@code
   * channel}'s event loop.
   */
  void announceWindow(Channel channel, int requested) {
    ConnectionFeatures.window(channel, requested);
    DeliveryPump pump = channel.attr(PUMP).get();
    if (pump != null) {
      pump.windowAnnounced();
    }
  }

  /** As {@link #acknowledge(Channel, String, String, List)} for one envelope (an {@code ack}). */
  void acknowledge(Channel channel, String identity, String ref, String sender, String messageId) {
    acknowledge(channel, identity, ref, List.of(new EnvelopeId(sender, messageId)));
  }

  /**
   * {@code identity} processed the envelopes {@code acked} (an {@code ack} or an {@code acks}):
   * frees their window slots on this connection at once; those pushed from memory that the store
   * never wrote are settled there (their senders hear {@code delivered}), the rest are deleted in
   * one change of the store; one {@code ok} answers once every deletion is durable and every such
   * {@code sent} left. Called on {@code channel}'s event loop.
   */
  void acknowledge(Channel channel, String identity, String ref, List<EnvelopeId> acked) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> acknowledge(channel, identity, ref, acked));
      return;
    }
    DeliveryPump own = channel.attr(PUMP).get();
    String device = own == null ? deviceOf(channel) : own.device();
    List<LiveEnvelope> fromMemory = new ArrayList<>();
    List<EnvelopeId> stored = new ArrayList<>(acked.size());
    for (EnvelopeId e : acked) {
      LiveEnvelope live =
          own == null ? null : own.ackedHere(DeliveryPump.key(e.sender(), e.messageId()));
      if (live != null) {
        fromMemory.add(live);
      } else {
        stored.add(e);
      }
    }
    // one hand-over and one flush per sender's connection, however many envelopes it sent
    Map<Channel, List<LiveEnvelope>> bySender = new LinkedHashMap<>();
    for (LiveEnvelope e : fromMemory) {
      bySender.computeIfAbsent(e.from(), c -> new ArrayList<>()).add(e);
    }
    AckAnswer answer = new AckAnswer(channel, ref, bySender.size() + (stored.isEmpty() ? 0 : 1));
    bySender.forEach((from, envelopes) -> answerFromMemory(from, envelopes, answer));
    if (stored.isEmpty()) {
      return;
    }
    submitAck(
        new Op() {
          @Override
          public void apply() throws IOException {
            // this device's copies only, of this identity's queue only
            meters.delivered().increment(queue.removeAll(identity, device, stored));
          }

          @Override
          public void committed(BatchReplies out) {
            for (DeliveryPump p : pumps.getOrDefault(identity, List.of())) {
              if (p != own
                  && (p.device().equals(device) || OfflineQueue.ANY_DEVICE.equals(device))) {
                stored.forEach(e -> out.acked(p, DeliveryPump.key(e.sender(), e.messageId())));
              }
            }
            answer.partDone(out);
          }

          @Override
          public void failed(IOException e) {
            LOG.error("could not remove acknowledged envelopes: {}", e.getMessage());
            answer.failed();
          }
        });
  }

  /**
   * The recipient acknowledged {@code envelopes}, all sent on {@code from} and pushed from memory,
   * before the store wrote them: they will never be written. Their sender hears {@code delivered}
   * first, in one hand-over to its connection's event loop and one flush; the recipient's {@code
   * ok} follows only once those answers are on their way, so a recipient never holds an {@code ok}
   * for an envelope whose sender may still retry it (which would look like a replay, section 9).
   */
  private void answerFromMemory(Channel from, List<LiveEnvelope> envelopes, AckAnswer answer) {
    List<Frame> sent = new ArrayList<>(envelopes.size());
    for (LiveEnvelope e : envelopes) {
      // "delivered" only to a sender the recipient wrote to; the contact is recorded with the next
      // batch
      boolean shownOnline = queue.knownContact(e.header().sender(), e.recipient());
      // ... and from now on the sender is the recipient's contact, as the store will record
      queue.noteContact(e.recipient(), e.header().sender());
      sent.add(
          new Frame.Sent(
              e.ref(),
              e.header().messageIdHex(),
              List.of(
                  new Frame.Delivery(
                      e.recipient(),
                      shownOnline ? DeliveryStatus.DELIVERED : DeliveryStatus.QUEUED))));
    }
    Runnable write =
        () -> {
          ChannelPromise all = from.newPromise();
          PromiseCombiner combiner = new PromiseCombiner(from.eventLoop());
          for (Frame f : sent) {
            combiner.add(from.write(f));
          }
          combiner.finish(all);
          from.flush();
          all.addListener(
              f -> {
                if (f.isSuccess()) {
                  answer.partDone(null);
                } // else the sender retries; the recipient, without an ok, absorbs the
                // redelivery silently
              });
        };
    if (from.eventLoop().inEventLoop()) {
      write.run();
    } else {
      from.eventLoop().execute(write);
    }
  }

  /** A change to the queue: applied inside a batch transaction, answered after the commit. */
  private interface Op {
    /** The store's nano time before which this change should not be applied; 0 for now. */
    default long notBefore() {
      return 0;
    }

    /**
     * The recipients whose order this change keeps: it is never applied before an earlier change
     * for one of them.
     */
    default List<String> orderedFor() {
      return List.of();
    }

    void apply() throws IOException;

    void committed(BatchReplies out);

    void failed(IOException e);
  }

  private void submit(Op op) {
    pendingOps.add(op);
    scheduleDrain();
  }

  /**
   * Submits the deletion of acknowledged envelopes, ahead of every change not yet taken into a
   * batch. Safe to reorder: an envelope is acknowledged only once its store write, if it has one,
   * was applied (the recipient got it from a committed page or hand-over, or from memory before the
   * store claimed it, and then the write is never made), so the deletion never overtakes the write
   * it undoes; and it holds nothing back (it is for no recipient's order).
   */
  private void submitAck(Op op) {
    pendingAcks.add(op);
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      storeThread.execute(this::drain);
    }
  }

  /**
   * Applies the due changes in one transaction (one disk sync), then answers them in order. A
   * change still within its {@link Op#notBefore} waits, and so do later changes for one of its
   * recipients (order is per recipient); every other change goes ahead. The store comes back for
   * the waiting ones when the first is due. Acknowledgements come first, whatever waits before them
   * (see {@link #submitAck}). When the transaction fails, each change is tried again alone, so one
   * failing change fails only itself.
   */
  private void drain() {
    drainScheduled.set(false);
    long now = nanoTime.getAsLong();
    List<Op> batch = new ArrayList<>();
    Op ack;
    while (batch.size() < MAX_BATCH && (ack = pendingAcks.poll()) != null) {
      batch.add(ack);
    }
    List<Op> stillWaiting = new ArrayList<>();
    Set<String> held = new HashSet<>();
    long dueAt = 0;
    List<Op> candidates = new ArrayList<>(waitingOps);
    int limit = waitingOps.size() + MAX_BATCH;
    waitingOps.clear();
    Op polled;
    while (candidates.size() < limit && (polled = pendingOps.poll()) != null) {
      candidates.add(polled);
    }
    for (Op op : candidates) {
      long notBefore = op.notBefore();
      boolean notDue = notBefore - now > 0;
      if (notDue || batch.size() >= MAX_BATCH || heldBack(op, held)) {
        held.addAll(op.orderedFor());
        stillWaiting.add(op);
        if (notDue && (dueAt == 0 || notBefore - dueAt < 0)) {
          dueAt = notBefore;
        }
      } else {
        batch.add(op);
      }
    }
    waitingOps.addAll(stillWaiting);
    if (!batch.isEmpty()) {
      apply(batch);
    }
    boolean moreNow =
        !pendingAcks.isEmpty()
            || !pendingOps.isEmpty()
            || (!stillWaiting.isEmpty() && batch.size() >= MAX_BATCH);
    if (moreNow && drainScheduled.compareAndSet(false, true)) {
      storeThread.execute(this::drain);
    }
    if (dueAt != 0 && (timedDrain == null || dueAt - timedDrainAt < 0)) {
      if (timedDrain != null) {
        timedDrain.cancel(false);
      }
      // a drain for when the first waiting change is due; new changes still start one at once
      timedDrainAt = dueAt;
      timedDrain =
          storeThread.schedule(
              this::timedDrain, Math.max(0, dueAt - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
    }
  }

  private void timedDrain() {
    timedDrain = null; // this one has run: the drain may schedule the next
    drain();
  }

  /** Whether {@code op} is for a recipient an earlier waiting change is for. */
  private static boolean heldBack(Op op, Set<String> held) {
    if (held.isEmpty()) {
      return false;
    }
    for (String r : op.orderedFor()) {
      if (held.contains(r)) {
        return true;
      }
    }
    return false;
  }

  /** Applies {@code batch} in one transaction; if that fails, each change alone. */
  private void apply(List<Op> batch) {
    long started = System.nanoTime();
    try {
      queue.transaction(
          () -> {
            for (Op o : batch) {
              o.apply();
            }
          });
      meters.storeBatch(System.nanoTime() - started);
      answer(batch);
      return;
    } catch (IOException | RuntimeException e) {
      if (batch.size() == 1) {
        failed(batch.getFirst(), e);
        return;
      }
      LOG.warn("a batch of {} changes failed ({}); trying each alone", batch.size(), e.toString());
    }
    for (Op o : batch) {
      try {
        queue.transaction(o::apply);
        answer(List.of(o));
      } catch (IOException | RuntimeException e) {
        failed(o, e);
      }
    }
  }

  private void answer(List<Op> committed) {
    BatchReplies out = new BatchReplies(order);
    committed.forEach(o -> o.committed(out));
    out.deliver();
  }

  private static void failed(Op op, Exception e) {
    op.failed(e instanceof IOException io ? io : new IOException(e.toString(), e));
  }

  /** Starts a purge of expired envelopes (every minute). */
  private void purge() {
    purgeChunk(0);
  }

  /**
   * Deletes one chunk of expired envelopes; if there may be more, queues the next chunk behind
   * whatever the store thread has to do meanwhile, so a large purge never holds up deliveries.
   */
  private void purgeChunk(int purgedSoFar) {
    try {
      int n = queue.purgeExpired(OfflineQueue.PURGE_CHUNK);
      meters.expired().increment(n);
      if (n == OfflineQueue.PURGE_CHUNK) {
        storeThread.execute(() -> purgeChunk(purgedSoFar + n));
      } else if (purgedSoFar + n > 0) {
        LOG.info("purged {} expired envelopes", purgedSoFar + n);
      }
    } catch (IOException e) {
      LOG.warn("purging expired envelopes failed: {}", e.getMessage());
    }
  }

  /** The store's totals, read on the store's thread (the relay's /metrics). */
  CompletableFuture<QueueStats.Totals> totals() {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return queue.totals();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        storeThread);
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
