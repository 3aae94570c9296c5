package dev.ztchat.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.security.cert.X509Certificate;

/**
 * The identity bound to a connection at the handshake: the CN of its client certificate. Set once
 * by {@link SessionStartHandler}; nothing a client sends can change it.
 */
final class ConnectionIdentity {
  private static final AttributeKey<String> KEY = AttributeKey.valueOf("ztchat.identity");
  private static final AttributeKey<ConnectionCertificate> CERT =
      AttributeKey.valueOf("ztchat.certificate");

  private ConnectionIdentity() {}

  static void bind(Channel channel, String identity, X509Certificate cert) {
    if (!channel.attr(KEY).compareAndSet(null, identity)) {
      throw new IllegalStateException("identity already bound");
    }
    channel.attr(CERT).set(ConnectionCertificate.of(cert));
  }

  /**
   * What is kept of the client certificate the identity was bound from, or {@code null} before the
   * handshake.
   */
  static ConnectionCertificate certificateOf(Channel channel) {
    return channel.attr(CERT).get();
  }

  /** The bound identity, or {@code null} before the handshake completed. */
  static String of(Channel channel) {
    return channel.attr(KEY).get();
  }
}
