package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A relay node's store not answering (its PostgreSQL database stopped, or the network to it broke):
 * since when, on the relay's clock, and what the probe found then. While it lasts the node refuses
 * clients ({@code /readyz} and the metrics say so). The reason is the database driver's message,
 * never a password (it may be missing: the driver's exceptions need not carry one), kept to one
 * line of printable characters so it can be shown as it is.
 *
 * <p>With several databases ({@code --store URL,URL}), {@code shard} names the one, not the first,
 * that does not answer: then only the recipients whose queues it holds are refused, and the node
 * serves everyone else. Empty when the store (or its first database) does not answer.
 */
public record StoreUnreachable(Instant since, String reason, String shard) {
  private static final int MAX_REASON = 300;

  /** The store, or its first database, does not answer. */
  public StoreUnreachable(Instant since, String reason) {
    this(since, reason, "");
  }

  public StoreUnreachable {
    requireNonNull(since, "since");
    requireNonNull(shard, "shard");
    String line =
        (reason == null ? "no reason given" : reason).replaceAll("[^\\x20-\\x7e]", " ").strip();
    reason = line.length() > MAX_REASON ? line.substring(0, MAX_REASON) + "..." : line;
  }
}
