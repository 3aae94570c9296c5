/** Benchmarks of ztchat against peers doing the same job. */
module dev.ztchat.bench {
  requires transitive dev.ztchat.server;
  requires io.netty.codec.mqtt;
  requires java.management;
  requires jdk.management;
  requires jmh.core;
  requires org.bouncycastle.provider;
  requires org.conscrypt;

  exports dev.ztchat.bench;
}
