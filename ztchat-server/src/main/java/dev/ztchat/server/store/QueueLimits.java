package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.protocol.ProtocolLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the relay stores envelopes for offline users and how much: the data folder, how long an
 * envelope waits (TTL), each recipient's quota, the share of that quota one sender may fill, and
 * the store ({@code --store}: empty for SQLite in the data folder, else a PostgreSQL URL, {@link
 * PostgresUrl}). Validated up front, with messages that name the option and its range; {@link
 * #toString} never shows the store's password.
 *
 * <p>The TTL may not exceed the receivers' acceptance window ({@link
 * AcceptancePolicy#DEFAULT_WINDOW}): a receiver refuses an envelope older than that, so keeping it
 * longer would only let it be delivered to be dropped (docs/PROTOCOL.md section 9).
 */
public record QueueLimits(
    Path dataDir,
    Duration ttl,
    int maxMessagesPerRecipient,
    long maxBytesPerRecipient,
    int senderSharePercent,
    String store) {
  public static final Duration DEFAULT_TTL = ProtocolLimits.DEFAULT_MESSAGE_TTL;

  /** The longest TTL: the window in which receivers accept an envelope. */
  public static final Duration MAX_TTL = AcceptancePolicy.DEFAULT_WINDOW;

  public static final int DEFAULT_MAX_MESSAGES = 10_000;
  public static final long DEFAULT_MAX_BYTES = 50L * 1024 * 1024;

  /**
   * By default one sender may fill a quarter of a recipient's quota, so at least three others find
   * room.
   */
  public static final int DEFAULT_SENDER_SHARE_PERCENT = 25;

  /** At most half: whatever one sender does, others keep at least as much room as it has. */
  public static final int MAX_SENDER_SHARE_PERCENT = 50;

  public QueueLimits {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(ttl, "ttl");
    requireNonNull(store, "store");
    if (!store.isEmpty()) {
      PostgresUrl.parseList(store); // names --store and what is wrong
    }
    if (ttl.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException(
          "--ttl "
              + ttl
              + " is out of range: use 1m to "
              + MAX_TTL.toDays()
              + "d (default "
              + DEFAULT_TTL.toDays()
              + "d)");
    }
    if (ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException(
          "--ttl "
              + ttl
              + " is longer than the "
              + MAX_TTL.toDays()
              + "-day window in which receivers accept a message: a message kept longer would be"
              + " refused as stale when delivered. Use 1m to "
              + MAX_TTL.toDays()
              + "d (default "
              + DEFAULT_TTL.toDays()
              + "d)");
    }
    if (maxMessagesPerRecipient < 1 || maxMessagesPerRecipient > 10_000_000) {
      throw new IllegalArgumentException(
          "--queue-max-messages "
              + maxMessagesPerRecipient
              + " is out of range: use 1 to 10000000 (default "
              + DEFAULT_MAX_MESSAGES
              + ")");
    }
    if (maxBytesPerRecipient < 4096 || maxBytesPerRecipient > (1L << 40)) {
      throw new IllegalArgumentException(
          "--queue-max-bytes "
              + maxBytesPerRecipient
              + " is out of range: use 4096 to 2^40 (default "
              + DEFAULT_MAX_BYTES
              + ")");
    }
    if (senderSharePercent < 1 || senderSharePercent > MAX_SENDER_SHARE_PERCENT) {
      throw new IllegalArgumentException(
          "--queue-sender-share "
              + senderSharePercent
              + " is out of range: use 1 to "
              + MAX_SENDER_SHARE_PERCENT
              + " percent of a recipient's quota (default "
              + DEFAULT_SENDER_SHARE_PERCENT
              + ")");
    }
  }

  /** In the SQLite store of {@code dataDir}. */
  public QueueLimits(
      Path dataDir,
      Duration ttl,
      int maxMessagesPerRecipient,
      long maxBytesPerRecipient,
      int senderSharePercent) {
    this(dataDir, ttl, maxMessagesPerRecipient, maxBytesPerRecipient, senderSharePercent, "");
  }

  /** With the default sender share. */
  public QueueLimits(
      Path dataDir, Duration ttl, int maxMessagesPerRecipient, long maxBytesPerRecipient) {
    this(dataDir, ttl, maxMessagesPerRecipient, maxBytesPerRecipient, DEFAULT_SENDER_SHARE_PERCENT);
  }

  /** The defaults, in {@code dataDir}. */
  public static QueueLimits defaults(Path dataDir) {
    return new QueueLimits(
        dataDir,
        DEFAULT_TTL,
        DEFAULT_MAX_MESSAGES,
        DEFAULT_MAX_BYTES,
        DEFAULT_SENDER_SHARE_PERCENT);
  }

  public QueueLimits withTtl(Duration newTtl) {
    return new QueueLimits(
        dataDir, newTtl, maxMessagesPerRecipient, maxBytesPerRecipient, senderSharePercent, store);
  }

  public QueueLimits withQuota(int messages, long bytes) {
    return new QueueLimits(dataDir, ttl, messages, bytes, senderSharePercent, store);
  }

  public QueueLimits withSenderShare(int percent) {
    return new QueueLimits(
        dataDir, ttl, maxMessagesPerRecipient, maxBytesPerRecipient, percent, store);
  }

  /**
   * In the store {@code url} names: a PostgreSQL URL ({@link PostgresUrl}), or empty for SQLite in
   * the data folder.
   */
  public QueueLimits withStore(String url) {
    return new QueueLimits(
        dataDir, ttl, maxMessagesPerRecipient, maxBytesPerRecipient, senderSharePercent, url);
  }

  /**
   * The PostgreSQL store, if {@code --store} names one: with several databases the first, which
   * holds everything but the other shards' queues ({@link #postgresShards}).
   */
  public java.util.Optional<PostgresUrl> postgres() {
    return store.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(PostgresUrl.parseList(store).getFirst());
  }

  /**
   * Every PostgreSQL database {@code --store} names, in its order (the first is the home); empty
   * for SQLite.
   */
  public java.util.List<PostgresUrl> postgresShards() {
    return store.isEmpty() ? java.util.List.of() : PostgresUrl.parseList(store);
  }

  /**
   * Where the store is, for logs: {@code relay.db} in the data folder, or the URL's password-less
   * form.
   */
  public String storeDescription() {
    return store.isEmpty()
        ? "SQLite " + dataDir.resolve("relay.db")
        : "PostgreSQL "
            + String.join(", ", postgresShards().stream().map(PostgresUrl::toString).toList());
  }

  @Override
  public String toString() {
    return "QueueLimits[dataDir="
        + dataDir
        + ", ttl="
        + ttl
        + ", maxMessagesPerRecipient="
        + maxMessagesPerRecipient
        + ", maxBytesPerRecipient="
        + maxBytesPerRecipient
        + ", senderSharePercent="
        + senderSharePercent
        + ", store="
        + storeDescription()
        + "]";
  }

  /** Most envelopes one sender may have waiting for one recipient (at least 1). */
  public int maxMessagesPerSender() {
    return (int) Math.max(1, (long) maxMessagesPerRecipient * senderSharePercent / 100);
  }

  /** Most bytes one sender may have waiting for one recipient. */
  public long maxBytesPerSender() {
    return Math.max(1, maxBytesPerRecipient * senderSharePercent / 100);
  }

  /**
   * When an envelope sealed at {@code sealedAtMillis} and stored at {@code nowMillis} expires: the
   * earlier of the TTL and the moment receivers stop accepting it (sealing time plus their window).
   */
  public long expiresAt(long sealedAtMillis, long nowMillis) {
    long byWindow =
        sealedAtMillis > Long.MAX_VALUE - MAX_TTL.toMillis()
            ? Long.MAX_VALUE
            : sealedAtMillis + MAX_TTL.toMillis();
    return Math.min(nowMillis + ttl.toMillis(), byWindow);
  }
}
