package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.store.StoreReachability;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes this relay node out of service while its store does not answer, and back in when it does,
 * without a restart. A node that cannot store cannot keep its promise ("sent" only once stored,
 * docs/PROTOCOL.md section 9), so rather than failing each send it tells every connected client so
 * at once and closes the connection, and refuses new ones the same way, so that the clients go to
 * another node (or retry here in a moment). Nothing accepted is lost: accepted envelopes are in the
 * store, and clients keep what was not accepted until a relay answers {@code sent}.
 *
 * <p>What the clients get: an {@code error} frame without a ref, code {@code internal}, the same as
 * at a relay's shutdown, which clients answer by reconnecting.
 *
 * <p>What the operator gets: {@link #unreachable} (since when and why, for {@code /readyz}) and
 * {@link #outages} (for the metrics), readable from any thread.
 */
final class StoreOutage implements StoreReachability {
  private static final Logger LOG = LoggerFactory.getLogger(StoreOutage.class);

  /** What a client is told, connected or connecting, while the store does not answer. */
  static final String MESSAGE =
      "the relay cannot reach its database: connect to another relay, or retry in a moment";

  private final ConnectionRegistry connections;
  private final Clock clock;
  private final AtomicLong outages = new AtomicLong();

  /** Null while the store answers. */
  private volatile StoreUnreachable unreachable;

  StoreOutage(ConnectionRegistry connections, Clock clock) {
    this.connections = requireNonNull(connections, "connections");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Databases other than the first that do not answer ({@link #shardLost}), by their password-less
   * URL; the node keeps serving, refusing only their recipients' work.
   */
  private final Map<String, StoreUnreachable> shards = new ConcurrentSkipListMap<>();

  /**
   * Since when and why the store does not answer: the whole store (or its first database) first,
   * else the first other database that does not; empty while every one answers.
   */
  Optional<StoreUnreachable> unreachable() {
    StoreUnreachable whole = unreachable;
    if (whole != null) {
      return Optional.of(whole);
    }
    return shards.values().stream().findFirst();
  }

  /** How many times the store stopped answering since the relay started. */
  long outages() {
    return outages.get();
  }

  /** The frame a client gets before its connection closes. */
  static Frame.Error frame() {
    return new Frame.Error(null, ErrorCode.INTERNAL, MESSAGE);
  }

  @Override
  public void lost(String reason) {
    unreachable = new StoreUnreachable(clock.instant(), reason);
    outages.incrementAndGet();
    connections.refuseAll(true);
    var open = connections.all();
    LOG.error(
        "the store does not answer ({}): closing {} connections and refusing new ones until it"
            + " does",
        reason,
        open.size());
    for (Channel ch : open) {
      ch.writeAndFlush(frame()).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void shardLost(String shard, String reason) {
    shards.put(shard, new StoreUnreachable(clock.instant(), reason, shard));
    outages.incrementAndGet();
    LOG.error(
        "the store's database {} does not answer ({}): the recipients whose queues it holds are"
            + " refused until it does; everyone else is served",
        shard,
        reason);
  }

  @Override
  public void shardRegained(String shard) {
    shards.remove(shard);
    LOG.info("the store's database {} answers again", shard);
  }

  @Override
  public void regained() {
    connections.refuseAll(false);
    unreachable = null;
    LOG.info("the store answers again: accepting connections");
  }
}
