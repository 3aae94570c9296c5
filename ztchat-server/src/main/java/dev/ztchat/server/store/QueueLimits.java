package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the relay stores envelopes for offline users and how much: the data folder, how long an
 * envelope waits (TTL) and each recipient's quota. Validated up front, with messages that name the
 * option and its range.
 */
public record QueueLimits(Path dataDir, Duration ttl, int maxMessagesPerRecipient, long maxBytesPerRecipient) {
  public static final Duration DEFAULT_TTL = dev.ztchat.core.protocol.ProtocolLimits.DEFAULT_MESSAGE_TTL;
  public static final int DEFAULT_MAX_MESSAGES = 10_000;
  public static final long DEFAULT_MAX_BYTES = 50L * 1024 * 1024;

  public QueueLimits {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(ttl, "ttl");
    if (ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(Duration.ofDays(30)) > 0) {
      throw new IllegalArgumentException("--ttl " + ttl + " is out of range: use 1m to 30d (default 7d)");
    }
    if (maxMessagesPerRecipient < 1 || maxMessagesPerRecipient > 10_000_000) {
      throw new IllegalArgumentException("--queue-max-messages " + maxMessagesPerRecipient
          + " is out of range: use 1 to 10000000 (default " + DEFAULT_MAX_MESSAGES + ")");
    }
    if (maxBytesPerRecipient < 4096 || maxBytesPerRecipient > (1L << 40)) {
      throw new IllegalArgumentException("--queue-max-bytes " + maxBytesPerRecipient
          + " is out of range: use 4096 to 2^40 (default " + DEFAULT_MAX_BYTES + ")");
    }
  }

  /** The defaults, in {@code dataDir}. */
  public static QueueLimits defaults(Path dataDir) {
    return new QueueLimits(dataDir, DEFAULT_TTL, DEFAULT_MAX_MESSAGES, DEFAULT_MAX_BYTES);
  }

  public QueueLimits withTtl(Duration newTtl) {
    return new QueueLimits(dataDir, newTtl, maxMessagesPerRecipient, maxBytesPerRecipient);
  }

  public QueueLimits withQuota(int messages, long bytes) {
    return new QueueLimits(dataDir, ttl, messages, bytes);
  }
}
