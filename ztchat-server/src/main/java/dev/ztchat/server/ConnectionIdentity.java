package dev.ztchat.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * The identity bound to a connection at the handshake: the CN of its client certificate. Set once
 * by {@link IdentityBindingHandler}; nothing a client sends can change it.
 */
final class ConnectionIdentity {
  private static final AttributeKey<String> KEY = AttributeKey.valueOf("ztchat.identity");

  private ConnectionIdentity() {}

  static void bind(Channel channel, String identity) {
    if (!channel.attr(KEY).compareAndSet(null, identity)) {
      throw new IllegalStateException("identity already bound");
    }
  }

  /** The bound identity, or {@code null} before the handshake completed. */
  static String of(Channel channel) {
    return channel.attr(KEY).get();
  }
}
