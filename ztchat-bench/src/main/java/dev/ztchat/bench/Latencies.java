package dev.ztchat.bench;

import java.util.Arrays;

/**
 * Send times and one-way latencies (send to receipt, same clock: sender and receiver run in one
 * process) of numbered messages, counting each message once however often it arrives. At a fixed
 * offered load the send time is the message's scheduled time (see {@link OfferedLoad}).
 */
final class Latencies {
  private final long[] sentAt;
  private final long[] latency;
  private final boolean[] seen;
  private int received;
  private int duplicates;
  private long firstSend = Long.MAX_VALUE;
  private long lastReceipt;

  Latencies(int messages) {
    sentAt = new long[messages];
    latency = new long[messages];
    seen = new boolean[messages];
  }

  synchronized void sent(int seq) {
    sent(seq, System.nanoTime());
  }

  /**
   * Records that message {@code seq} was (or was due to be) sent at {@code nanos}
   * (System.nanoTime).
   */
  synchronized void sent(int seq, long nanos) {
    sentAt[seq] = nanos;
    firstSend = Math.min(firstSend, nanos);
  }

  /** How many messages this tracks. */
  int expected() {
    return seen.length;
  }

  /** Messages that never arrived. */
  synchronized int lost() {
    return seen.length - received;
  }

  /** Records a receipt; returns true the first time {@code seq} arrives. */
  synchronized boolean received(int seq) {
    if (seq < 0 || seq >= seen.length) {
      return false;
    }
    if (seen[seq]) {
      duplicates++;
      return false;
    }
    long now = System.nanoTime();
    seen[seq] = true;
    latency[received++] = now - sentAt[seq];
    lastReceipt = now;
    return true;
  }

  synchronized int receivedCount() {
    return received;
  }

  synchronized int duplicates() {
    return duplicates;
  }

  /** Messages per second from the first send to the last receipt. */
  synchronized double throughput() {
    return received == 0 ? 0 : received / ((lastReceipt - firstSend) / 1e9);
  }

  /** The {@code p}-th percentile (0..100) latency in microseconds. */
  synchronized double percentileMicros(double p) {
    if (received == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(latency, received);
    Arrays.sort(sorted);
    int i = (int) Math.min(received - 1, Math.ceil(p / 100.0 * received) - 1);
    return sorted[Math.max(0, i)] / 1000.0;
  }
}
