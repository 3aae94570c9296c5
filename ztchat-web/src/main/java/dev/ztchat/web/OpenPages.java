package dev.ztchat.web;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The pages connected now, each with the conversation it shows: events go to all of them or to
 * those showing one conversation. A page that closes leaves by itself.
 */
final class OpenPages implements AutoCloseable {
  private static final AttributeKey<String> OPEN = AttributeKey.valueOf("ztchat.web.open");

  private final ChannelGroup pages = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  void add(Channel page) {
    pages.add(page);
  }

  /** {@code page} shows the conversation with {@code peer} from now on. */
  static void show(Channel page, String peer) {
    page.attr(OPEN).set(peer);
  }

  /** Whether some page shows the conversation with {@code peer}. */
  boolean showing(String peer) {
    for (Channel page : pages) {
      if (peer.equals(page.attr(OPEN).get())) {
        return true;
      }
    }
    return false;
  }

  /** The conversations shown on some page. */
  Set<String> shown() {
    Set<String> open = new LinkedHashSet<>();
    for (Channel page : pages) {
      String p = page.attr(OPEN).get();
      if (p != null) {
        open.add(p);
      }
    }
    return open;
  }

  /** Sends {@code event} to every page showing the conversation with {@code peer}. */
  void sendToShowing(String peer, String event) {
    for (Channel page : pages) {
      if (peer.equals(page.attr(OPEN).get())) {
        send(page, event);
      }
    }
  }

  void broadcast(String event) {
    pages.writeAndFlush(new TextWebSocketFrame(event));
  }

  static void send(Channel page, String event) {
    page.writeAndFlush(new TextWebSocketFrame(event));
  }

  @Override
  public void close() {
    pages.close();
  }
}
