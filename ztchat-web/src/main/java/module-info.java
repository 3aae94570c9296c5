/**
 * The browser front end of ztchat: {@code ztchat web} serves a chat page on 127.0.0.1 only and
 * drives the user's own {@link dev.ztchat.client.ChatClient}; keys and plaintext stay in this
 * process, the browser only draws. The server side is on Netty's HTTP and WebSocket codecs, because
 * Netty already carries the relay and the client, so the page adds no new dependency.
 */
module dev.ztchat.web {
  requires transitive dev.ztchat.client;
  requires io.netty.codec.http;
  requires org.slf4j;

  exports dev.ztchat.web;
}
