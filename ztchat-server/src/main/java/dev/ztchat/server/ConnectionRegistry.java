package dev.ztchat.server;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which identities are online, and on which connections (a user may have several). Connections
 * leave the registry by themselves when they close.
 */
final class ConnectionRegistry {
  private final ConcurrentMap<String, Set<Channel>> byIdentity = new ConcurrentHashMap<>();
  private final ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  void add(String identity, Channel channel) {
    byIdentity.computeIfAbsent(identity, k -> ConcurrentHashMap.newKeySet()).add(channel);
    all.add(channel);
    channel
        .closeFuture()
        .addListener(
            f ->
                byIdentity.computeIfPresent(
                    identity,
                    (k, set) -> {
                      set.remove(channel);
                      return set.isEmpty() ? null : set;
                    }));
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
