/**
 * The ztchat client library: a reconnecting connection to the relay, verified contacts and pins,
 * revocation checks, sending, receiving and the encrypted history. It knows nothing of terminals:
 * front ends ({@code dev.ztchat.terminal}, a web client) listen to {@code ChatListener} and word
 * the typed remedies of {@code dev.ztchat.core.remedy}.
 */
module dev.ztchat.client {
  requires transitive dev.ztchat.core;
  requires org.slf4j;

  exports dev.ztchat.client;
}
