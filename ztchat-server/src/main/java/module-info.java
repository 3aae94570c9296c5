/**
 * The ztchat relay: mutual-TLS pipeline, identity binding, limits, store-and-forward, directory,
 * revocation and the security log. Exports the relay's start-up API and its configuration; the
 * pipeline handlers are package-private.
 */
module dev.ztchat.server {
  requires transitive dev.ztchat.core;
  requires io.github.bucket4j.core;
  requires io.netty.codec.http;
  requires transitive micrometer.core;
  requires transitive micrometer.registry.prometheus;
  requires io.netty.tcnative.classes.openssl;
  requires org.slf4j;
  requires com.zaxxer.hikari;
  requires org.postgresql.jdbc;

  exports dev.ztchat.server;
  exports dev.ztchat.server.store;
  exports dev.ztchat.server.ops;
  exports dev.ztchat.server.aot;
}
