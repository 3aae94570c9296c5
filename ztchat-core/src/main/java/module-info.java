/**
 * ztchat's protocol, envelope crypto and PKI: what the relay, the client and the tools share.
 *
 * <p>Exports only API packages. {@code crypto} (the primitives' wire encodings: X25519, ML-KEM-768,
 * HKDF, the cipher parameters) and {@code session} (the v2 session setup, whose types the relay's
 * prekey store and every v2 client use) are API. The SQLite file helper ({@code store}) and the
 * test kit ({@code testkit}: the fake clock, bounded polling, the raw frame client and the hostile
 * relay that the attacks, the benchmarks and the other modules' tests share) are used by other
 * ztchat modules but are no API: they are exported only to those modules. The kit lives here, not
 * in a module of its own, because core's own tests use it too and Maven allows no module that
 * core's tests depend on and that depends on core.
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
  exports dev.ztchat.core.crypto;
  exports dev.ztchat.core.session;
  exports dev.ztchat.core.conversation;
  exports dev.ztchat.core.group;
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
