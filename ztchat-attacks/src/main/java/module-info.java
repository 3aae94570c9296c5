/** The attack simulations: every security claim as an attack on a real relay. */
module dev.ztchat.attacks {
  requires transitive dev.ztchat.client;
  requires transitive dev.ztchat.server;
  requires org.slf4j;

  exports dev.ztchat.attacks;
}
