package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.server.store.SharedPresence;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which identities are online, and on which connections (a user may have several), and the gate
 * that keeps their number within {@link ConnectionLimits}. Connections leave the registry by
 * themselves when they close. With a store shared by several relay nodes, the {@link
 * SharedPresence} hears of each identity's first connection here and of its last one closing, and
 * tells of those online on the other nodes.
 *
 * <p>Thread safety: admissions and removals are serialised on this object so that two handshakes
 * finishing at once on different event loops cannot both take the last slot; reads are lock-free.
 */
final class ConnectionRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);

  /** Why a connection was not let in. */
  enum Refusal {
    /** The identity already holds its per-identity maximum. */
    PER_IDENTITY("per_identity"),
    /** The relay holds its global maximum. */
    GLOBAL("global"),
    /** Only the reserved slots are left, and the identity holds its fair share or more. */
    RESERVED("reserved_for_others"),
    /** The relay's store does not answer ({@link StoreOutage}): nobody is let in. */
    STORE_UNAVAILABLE("store_unavailable");

    private final String wire;

    Refusal(String wire) {
      this.wire = wire;
    }

    /** The reason as written in the security log. */
    String logName() {
      return wire;
    }
  }

  private final ConcurrentMap<String, Set<Channel>> byIdentity = new ConcurrentHashMap<>();
  private final ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final SharedPresence presence;
  private int total;
  private boolean refusingAll;

  /** One relay node: presence is this node's connections. */
  ConnectionRegistry() {
    this(SharedPresence.NOT_SHARED);
  }

  /** A node among several: presence is also what {@code presence} tells of the others. */
  ConnectionRegistry(SharedPresence presence) {
    this.presence = requireNonNull(presence, "presence");
  }

  /**
   * Registers {@code channel} as one of {@code identity}'s connections if {@code limits} allow it;
   * returns null when it was registered, else why not (the caller closes it).
   */
  synchronized Refusal admit(String identity, Channel channel, ConnectionLimits limits) {
    requireNonNull(limits, "limits");
    if (refusingAll) {
      return Refusal.STORE_UNAVAILABLE;
    }
    Set<Channel> mine = byIdentity.get(identity);
    Refusal refusal = decide(mine == null ? 0 : mine.size(), total, byIdentity.size(), limits);
    if (refusal != null) {
      return refusal;
    }
    if (mine == null) {
      presence.arrived(identity);
    }
    byIdentity.computeIfAbsent(identity, k -> ConcurrentHashMap.newKeySet()).add(channel);
    total++;
    all.add(channel);
    channel.closeFuture().addListener(f -> remove(identity, channel));
    return null;
  }

  /**
   * The admission rule. In the last {@link ConnectionLimits#reserve()} slots of the global cap, an
   * identity is let in only while it holds fewer connections than its fair share: the non-reserved
   * slots divided by the identities online (at least one). An identity with no connection is always
   * below it, so a newcomer finds room while any reserved slot is free.
   */
  static Refusal decide(
      int identityConnections,
      int totalConnections,
      int identitiesOnline,
      ConnectionLimits limits) {
    if (identityConnections >= limits.perIdentity()) {
      return Refusal.PER_IDENTITY;
    }
    if (totalConnections >= limits.global()) {
      return Refusal.GLOBAL;
    }
    int open = limits.global() - limits.reserve();
    if (totalConnections >= open) {
      int fairShare = Math.max(1, open / Math.max(1, identitiesOnline));
      if (identityConnections >= fairShare) {
        return Refusal.RESERVED;
      }
    }
    return null;
  }

  /** Whether every new connection is refused ({@link Refusal#STORE_UNAVAILABLE}) from now on. */
  synchronized void refuseAll(boolean refuse) {
    refusingAll = refuse;
  }

  private synchronized void remove(String identity, Channel channel) {
    Set<Channel> set = byIdentity.get(identity);
    if (set != null && set.remove(channel)) {
      total--;
      if (set.isEmpty()) {
        byIdentity.remove(identity);
        presence.left(identity);
      }
    }
  }

  /** Live connections of {@code identity} (possibly empty). */
  List<Channel> channelsOf(String identity) {
    Set<Channel> set = byIdentity.get(identity);
    return set == null ? List.of() : List.copyOf(set);
  }

  /**
   * The answer to {@code requester}'s {@code who}: the online identities among its {@code contacts}
   * (the users who have sent it a message through this relay) and the requester itself, sorted;
   * online here or on another node. Nobody else's presence is shown (docs/SECURITY.md, presence).
   * Blocks on the shared store when there is one: not for an event loop.
   */
  List<String> onlineVisibleTo(String requester, Set<String> contacts) {
    Set<String> out = new TreeSet<>(online(contacts));
    out.add(requester);
    return List.copyOf(out);
  }

  /**
   * Those of {@code identities} online here or on another node; when the other nodes cannot be
   * asked, those online here (presence is a hint, never a reason to fail an answer). Blocks on the
   * shared store when there is one.
   */
  Set<String> online(Set<String> identities) {
    Set<String> out = new TreeSet<>();
    Set<String> away = new TreeSet<>();
    for (String u : identities) {
      (byIdentity.containsKey(u) ? out : away).add(u);
    }
    try {
      out.addAll(presence.onlineElsewhere(away));
    } catch (IOException e) {
      LOG.warn("presence on the other relay nodes is unknown: {}", e.getMessage());
    }
    return out;
  }

  /**
   * On how many relay nodes {@code identity} is connected, this one included, as last read (1 with
   * one node); any thread, from memory.
   */
  int nodesServing(String identity) {
    return presence.nodesServing(identity);
  }

  /** Every authenticated connection (for shutdown). */
  ChannelGroup all() {
    return all;
  }

  /** Stops sharing presence: the other nodes see this node's users offline. */
  @Override
  public void close() {
    presence.close();
  }
}
