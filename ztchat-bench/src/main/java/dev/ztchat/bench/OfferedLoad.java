package dev.ztchat.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * When each message of a load is due. Unpaced, every message is due at once (each side runs at its
 * full rate); paced, the messages of all senders together follow a fixed schedule of {@code rate}
 * per second, interleaved across senders, and a message's latency counts from its scheduled time
 * rather than from when it was actually written, so a stalled server or client cannot hide its
 * queueing delay by slowing the sender (no coordinated omission).
 */
final class OfferedLoad {
  private final double ratePerSecond;
  private final int senders;
  private volatile long startNanos;

  private OfferedLoad(double ratePerSecond, int senders) {
    this.ratePerSecond = ratePerSecond;
    this.senders = senders;
  }

  /** Every message due at once: the full-rate runs. */
  static OfferedLoad unpaced() {
    return new OfferedLoad(Double.NaN, 1);
  }

  /** {@code ratePerSecond} messages per second over {@code senders} senders taken together. */
  static OfferedLoad paced(double ratePerSecond, int senders) {
    if (!(ratePerSecond > 0) || senders < 1) {
      throw new IllegalArgumentException(
          "a paced load needs a positive rate and at least one sender");
    }
    return new OfferedLoad(ratePerSecond, senders);
  }

  boolean isPaced() {
    return !Double.isNaN(ratePerSecond);
  }

  double rate() {
    return ratePerSecond;
  }

  /** Fixes time zero of the schedule (call once, just before the first send). */
  void start() {
    startNanos = System.nanoTime();
  }

  /** The time message {@code k} of sender {@code sender} is due (the latency's origin). */
  long scheduledAt(int sender, int k) {
    if (!isPaced()) {
      return System.nanoTime();
    }
    return startNanos + (long) (((double) k * senders + sender) * 1e9 / ratePerSecond);
  }

  /** How many of sender {@code sender}'s {@code count} messages are due by now. */
  int due(int sender, int count) {
    if (!isPaced()) {
      return count;
    }
    double slots = (System.nanoTime() - startNanos) * ratePerSecond / 1e9;
    long mine = (long) Math.floor((slots - sender) / senders) + 1;
    return (int) Math.max(0, Math.min(count, mine));
  }

  /**
   * Wakes the senders on schedule from a thread of its own: {@code wake.get(i)} runs (it should
   * hand the work to sender i's event loop) when sender i's next message falls due. Returns at once
   * when unpaced; the thread stops after the last of {@code perSender} messages each.
   */
  Thread drive(List<Runnable> wake, int perSender) {
    if (!isPaced()) {
      return null;
    }
    Thread t =
        new Thread(
            () -> {
              long total = (long) perSender * senders;
              for (long i = 0; i < total && !Thread.currentThread().isInterrupted(); i++) {
                long at = startNanos + (long) (i * 1e9 / ratePerSecond);
                for (long wait; (wait = at - System.nanoTime()) > 0; ) {
                  LockSupport.parkNanos(wait);
                  if (Thread.currentThread().isInterrupted()) {
                    return;
                  }
                }
                wake.get((int) (i % senders)).run();
              }
            },
            "bench-pacer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Stops a pacing thread from {@link #drive}, if any. */
  static void stop(Thread pacer) throws InterruptedException {
    if (pacer != null) {
      pacer.interrupt();
      pacer.join(TimeUnit.SECONDS.toMillis(5));
    }
  }
}
