package dev.ztchat.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Waits until the relay nodes have applied the acknowledgements of every envelope the receivers
 * got, so that what the scale-out bench counts (the nodes' deletes, the database's statements)
 * covers the whole run. A receiver has an envelope as soon as a node pushes it, but its
 * acknowledgement is applied later, by the node's store thread, behind whatever that thread still
 * has to store: under load the nodes may be many seconds behind when the last envelope arrives. So
 * it waits for as long as the count keeps moving, and gives up only once it has stood still for
 * {@link #STALL} (an acknowledgement lost with a closed connection never comes) or after {@link
 * #CAP} in all.
 */
final class AcksApplied {
  /** How long the count may stand still before the wait ends short of its target. */
  static final Duration STALL = Duration.ofSeconds(10);

  /** The longest wait in all. */
  static final Duration CAP = Duration.ofMinutes(5);

  private static final long POLL_MILLIS = 100;

  /** The nodes' count of applied acknowledgements, now. */
  @FunctionalInterface
  interface Count {
    long now() throws IOException, InterruptedException;
  }

  /** Waits {@code millis}. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private AcksApplied() {}

  /** Waits on the wall clock; returns the count it ended at. */
  static long await(Count count, long target) throws IOException, InterruptedException {
    return await(count, target, System::nanoTime, Thread::sleep);
  }

  /**
   * Waits until {@code count} reaches {@code target}, or stands still for {@link #STALL}, or {@link
   * #CAP} has passed, polling every 100 ms of {@code nanoTime}; returns the count it ended at.
   */
  static long await(Count count, long target, LongSupplier nanoTime, Sleeper sleeper)
      throws IOException, InterruptedException {
    long start = nanoTime.getAsLong();
    long movedAt = start;
    long last = count.now();
    while (last < target) {
      long t = nanoTime.getAsLong();
      if (t - movedAt >= STALL.toNanos() || t - start >= CAP.toNanos()) {
        break;
      }
      sleeper.sleep(POLL_MILLIS);
      long now = count.now();
      if (now != last) {
        last = now;
        movedAt = nanoTime.getAsLong();
      }
    }
    return last;
  }
}
