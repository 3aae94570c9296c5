package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.RoutingPrefix;
import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An accepted envelope for one recipient with a live connection, offered to that connection before
 * it is written to the store. Exactly one of two things settles it, whichever comes first: the
 * store writes it (and from then on it is an ordinary stored envelope), or the recipient
 * acknowledges the pushed copy before the store got to it (then it is never written: the recipient
 * has it, and the sender hears {@code delivered} at once). The race between the two is decided by
 * one compare-and-set, so an envelope is never both dropped from the store and unacknowledged.
 */
final class LiveEnvelope {
  /** Where it is between the recipient's connection and the store. */
  enum State {
    /** Waiting for the recipient's connection and the store. */
    OFFERED,
    /** Pushed to the live connection, not yet written. */
    PUSHED,
    /** Acknowledged before it was written: never written. */
    ACKNOWLEDGED,
    /** Claimed by the store before any push. */
    STORED,
    /** Pushed from memory, then claimed by the store. */
    PUSHED_THEN_STORED,
    /** The connection will not take it: for the store, at once. */
    DECLINED
  }

  private final Channel from;
  private final String ref;
  private final RoutingPrefix header;
  private final byte[] envelope;
  private final String recipient;
  private final long ticket;
  private final AtomicReference<State> state = new AtomicReference<>(State.OFFERED);
  private final long offeredAt;
  private volatile long seq;

  LiveEnvelope(
      Channel from,
      String ref,
      RoutingPrefix header,
      byte[] envelope,
      String recipient,
      long ticket,
      long offeredAtNanos) {
    this.offeredAt = offeredAtNanos;
    this.from = requireNonNull(from, "from");
    this.ref = ref;
    this.header = requireNonNull(header, "header");
    this.envelope = requireNonNull(envelope, "envelope");
    this.recipient = requireNonNull(recipient, "recipient");
    this.ticket = ticket;
  }

  Channel from() {
    return from;
  }

  String ref() {
    return ref;
  }

  RoutingPrefix header() {
    return header;
  }

  byte[] envelope() {
    return envelope;
  }

  String recipient() {
    return recipient;
  }

  /** Its place in the recipient's {@link AcceptanceOrder}. */
  long ticket() {
    return ticket;
  }

  String key() {
    return DeliveryPump.key(header.sender(), header.messageIdHex());
  }

  /** The recipient's connection takes it from memory; false once the store has claimed it. */
  boolean push() {
    return state.compareAndSet(State.OFFERED, State.PUSHED);
  }

  /**
   * Until when (the store's nano time) the store leaves it alone, so the recipient's ack can settle
   * it first: {@code grace} after it was offered while it is offered or pushed and unacknowledged;
   * 0 (now) once that no longer matters.
   */
  long storeNotBefore(long graceNanos) {
    State s = state.get();
    return s == State.OFFERED || s == State.PUSHED ? offeredAt + graceNanos : 0;
  }

  /**
   * Whether it still waits for the recipient's connection (neither pushed, declined nor claimed).
   */
  boolean isOffered() {
    return state.get() == State.OFFERED;
  }

  /** The recipient's connection will not take it from memory: the store need not wait for it. */
  void decline() {
    state.compareAndSet(State.OFFERED, State.DECLINED);
  }

  /** The recipient acknowledged the pushed copy; true when that was before the store claimed it. */
  boolean acknowledge() {
    return state.compareAndSet(State.PUSHED, State.ACKNOWLEDGED);
  }

  /**
   * The store is about to write it (or gave up on it): from now on it cannot be pushed from memory,
   * and an acknowledgement goes through the store. False when the recipient already acknowledged
   * it.
   */
  boolean claimForStore() {
    while (true) {
      State s = state.get();
      switch (s) {
        case OFFERED, DECLINED -> {
          if (state.compareAndSet(s, State.STORED)) {
            return true;
          }
        }
        case PUSHED -> {
          if (state.compareAndSet(State.PUSHED, State.PUSHED_THEN_STORED)) {
            return true;
          }
        }
        case ACKNOWLEDGED -> {
          return false;
        }
        case STORED, PUSHED_THEN_STORED -> {
          return true; // already claimed
        }
      }
    }
  }

  /**
   * Whether the recipient's connection took it from memory (so the store's copy is not pushed
   * again).
   */
  boolean wasPushed() {
    State s = state.get();
    return s == State.PUSHED || s == State.ACKNOWLEDGED || s == State.PUSHED_THEN_STORED;
  }

  /**
   * {@link #seq()} of an envelope the store did not write (a copy was already there, or the queue
   * is full).
   */
  static final long NO_COPY = -1;

  /** The store wrote it with this {@code seq}, or {@link #NO_COPY}. */
  void stored(long seq) {
    this.seq = seq;
  }

  /** Its {@code seq} in the store, {@link #NO_COPY}, or 0 while the store has not got to it. */
  long seq() {
    return seq;
  }
}
