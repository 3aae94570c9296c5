package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which identities are online, and on which connections (a user may have several), and the gate
 * that keeps their number within {@link ConnectionLimits}. Connections leave the registry by
 * themselves when they close.
 *
 * <p>Thread safety: admissions and removals are serialised on this object so that two handshakes
 * finishing at once on different event loops cannot both take the last slot; reads are lock-free.
 */
final class ConnectionRegistry {
  /** Why a connection was not let in. */
  enum Refusal {
    /** The identity already holds its per-identity maximum. */
    PER_IDENTITY("per_identity"),
    /** The relay holds its global maximum. */
    GLOBAL("global"),
    /** Only the reserved slots are left, and the identity holds its fair share or more. */
    RESERVED("reserved_for_others");

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
  private int total;

  /**
   * Registers {@code channel} as one of {@code identity}'s connections if {@code limits} allow it;
   * returns null when it was registered, else why not (the caller closes it).
   */
  synchronized Refusal admit(String identity, Channel channel, ConnectionLimits limits) {
    requireNonNull(limits, "limits");
    Set<Channel> mine = byIdentity.get(identity);
    Refusal refusal = decide(mine == null ? 0 : mine.size(), total, byIdentity.size(), limits);
    if (refusal != null) {
      return refusal;
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

  private synchronized void remove(String identity, Channel channel) {
    Set<Channel> set = byIdentity.get(identity);
    if (set != null && set.remove(channel)) {
      total--;
      if (set.isEmpty()) {
        byIdentity.remove(identity);
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
   * (the users who have sent it a message through this relay) and the requester itself, sorted.
   * Nobody else's presence is shown (docs/SECURITY.md, presence).
   */
  List<String> onlineVisibleTo(String requester, Set<String> contacts) {
    return byIdentity.keySet().stream()
        .filter(u -> u.equals(requester) || contacts.contains(u))
        .sorted()
        .toList();
  }

  /** Every authenticated connection (for shutdown). */
  ChannelGroup all() {
    return all;
  }
}
