package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends receipts at a steady pace on their own thread, so that a backlog of received messages does
 * not spend the client's frame budget at the relay (docs/PROTOCOL.md section 4.3) that the
 * directory lookups and the user's own messages need. At most {@link #PER_SECOND} receipts leave
 * per second (half the relay's default budget); at most {@link #MAX_WAITING} wait, the oldest being
 * dropped beyond that; after a {@code rate_limited} answer the pacer pauses, doubling the pause
 * while the relay keeps refusing. A receipt is best effort: one lost costs the sender a "delivered"
 * mark, never a message.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread.
 */
final class ReceiptPacer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReceiptPacer.class);

  /** Receipts sent per second at most. */
  static final int PER_SECOND = ProtocolLimits.DEFAULT_FRAMES_PER_SECOND / 2;

  /** Receipts kept waiting at most. */
  static final int MAX_WAITING = 1024;

  private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

  /** Seals and sends one receipt; the future completes with the relay's answer. */
  @FunctionalInterface
  interface Sender {
    CompletableFuture<Frame> send(String peer, byte[] messageId) throws Exception;
  }

  private record Receipt(String peer, byte[] messageId) {}

  private final Sender sender;
  private final Deque<Receipt> waiting = new ArrayDeque<>(); // guarded by this
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService thread;
  private long pausedUntilNanos; // guarded by this
  private long pauseNanos = FIRST_PAUSE.toNanos(); // guarded by this

  ReceiptPacer(String me, Sender sender) {
    this.sender = requireNonNull(sender, "sender");
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-receipts-" + me);
              t.setDaemon(true);
              return t;
            });
    long every = TimeUnit.SECONDS.toNanos(1) / PER_SECOND;
    thread.scheduleWithFixedDelay(this::sendOne, every, every, TimeUnit.NANOSECONDS);
  }

  /** Queues a receipt for {@code messageId} to {@code peer}. */
  synchronized void submit(String peer, byte[] messageId) {
    if (waiting.size() >= MAX_WAITING) {
      Receipt dropped = waiting.pollFirst();
      LOG.debug("too many receipts waiting: none sent to {}", dropped.peer());
    }
    waiting.addLast(new Receipt(peer, messageId.clone()));
  }

  private void sendOne() {
    Receipt next;
    synchronized (this) {
      if (System.nanoTime() - pausedUntilNanos < 0) {
        return;
      }
      next = waiting.pollFirst();
    }
    if (next == null) {
      return;
    }
    CompletableFuture<Frame> answer;
    try {
      answer = sender.send(next.peer(), next.messageId());
    } catch (Exception e) {
      LOG.debug("no receipt sent to {}: {}", next.peer(), e.getMessage());
      return;
    }
    inFlight.add(answer);
    answer.whenComplete(
        (f, e) -> {
          inFlight.remove(answer);
          Throwable cause =
              e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e;
          if (cause instanceof RelayConnection.RelayException r
              && r.code() == ErrorCode.RATE_LIMITED) {
            rateLimited(next);
          } else if (cause != null) {
            LOG.debug("no receipt sent to {}: {}", next.peer(), cause.getMessage());
          } else {
            synchronized (this) {
              pauseNanos = FIRST_PAUSE.toNanos();
            }
          }
        });
  }

  private synchronized void rateLimited(Receipt refused) {
    pausedUntilNanos = System.nanoTime() + pauseNanos;
    pauseNanos = Math.min(LONGEST_PAUSE.toNanos(), pauseNanos * 2);
    if (waiting.size() < MAX_WAITING) {
      waiting.addFirst(refused);
    }
  }

  /**
   * Sends up to {@code max} waiting receipts now, on the caller's thread (before closing, so that a
   * short session, such as {@code recv --count 1}, still confirms what it showed).
   */
  void sendWaiting(int max) {
    for (int i = 0; i < max; i++) {
      synchronized (this) {
        if (waiting.isEmpty() || System.nanoTime() - pausedUntilNanos < 0) {
          return; // nothing left, or the relay asked us to slow down: those receipts are lost
        }
      }
      sendOne();
    }
  }

  /** Receipts sent whose answer has not come yet. */
  CompletableFuture<Void> inFlight() {
    return CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new));
  }

  /** Stops sending; receipts still waiting are not sent. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
