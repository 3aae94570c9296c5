/**
 * ztchat's protocol, envelope crypto and PKI: what the relay, the client and the tools share.
 *
 * <p>Exports only API packages. The SQLite file helper ({@code store}) and the BoringSSL provider
 * check ({@code crypto}) are used by other ztchat modules but are no API: they are exported only to
 * those modules.
 */
module dev.ztchat.core {
  requires transitive com.fasterxml.jackson.core;
  requires transitive io.netty.buffer;
  requires transitive io.netty.codec;
  requires transitive io.netty.common;
  requires transitive io.netty.handler;
  requires transitive io.netty.transport;
  requires transitive java.sql;
  requires java.naming;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.util;
  requires org.conscrypt;
  requires org.slf4j;

  exports dev.ztchat.core.envelope;
  exports dev.ztchat.core.pki;
  exports dev.ztchat.core.protocol;
  exports dev.ztchat.core.remedy;
  exports dev.ztchat.core.transport;
  exports dev.ztchat.core.crypto to
      dev.ztchat.client,
      dev.ztchat.bench,
      dev.ztchat.cli;
  exports dev.ztchat.core.testkit to
      dev.ztchat.server,
      dev.ztchat.client,
      dev.ztchat.terminal,
      dev.ztchat.attacks,
      dev.ztchat.bench,
      dev.ztchat.cli;
  exports dev.ztchat.core.store to
      dev.ztchat.client,
      dev.ztchat.server;
}
