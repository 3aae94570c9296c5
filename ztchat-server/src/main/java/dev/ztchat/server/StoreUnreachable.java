package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A relay node's store not answering (its PostgreSQL database stopped, or the network to it broke):
 * since when, on the relay's clock, and what the probe found then. While it lasts the node refuses
 * clients ({@code /readyz} and the metrics say so). The reason is the database driver's message,
 * never a password (it may be missing: the driver's exceptions need not carry one), kept to one
 * line of printable characters so it can be shown as it is.
 */
public record StoreUnreachable(Instant since, String reason) {
  private static final int MAX_REASON = 300;

  public StoreUnreachable {
    requireNonNull(since, "since");
    String line =
        (reason == null ? "no reason given" : reason).replaceAll("[^\\x20-\\x7e]", " ").strip();
    reason = line.length() > MAX_REASON ? line.substring(0, MAX_REASON) + "..." : line;
  }
}
