package dev.ztchat.client;

import dev.ztchat.core.conversation.InMemorySessionStore;
import dev.ztchat.core.conversation.SessionStore;

/** The in-memory store the core's tests use keeps the same contract as the client's. */
class InMemorySessionStoreContractTest extends SessionStoreContract {
  @Override
  SessionStore store() {
    return new InMemorySessionStore();
  }
}
