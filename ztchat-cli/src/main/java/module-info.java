/**
 * The {@code ztchat} command: picocli commands that parse, validate and delegate. Run from the
 * class path by the launcher; on the module path picocli reads the commands by reflection.
 */
module dev.ztchat.cli {
  requires ch.qos.logback.classic;
  requires ch.qos.logback.core;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires dev.ztchat.attacks;
  requires dev.ztchat.bench;
  requires dev.ztchat.client;
  requires dev.ztchat.server;
  requires dev.ztchat.terminal;
  requires dev.ztchat.web;
  requires info.picocli;
  requires jdk.unsupported;
  requires org.slf4j;
  requires org.xerial.sqlitejdbc;

  opens dev.ztchat.cli to
      info.picocli;
}
