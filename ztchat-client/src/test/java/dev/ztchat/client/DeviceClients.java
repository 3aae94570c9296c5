package dev.ztchat.client;

import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import java.nio.file.Path;

/** Connects a test user's version-2 device client to a relay on loopback. */
final class DeviceClients {
  private DeviceClients() {}

  /** {@code user}'s client with its device key, its state in {@code dir/user}. */
  static ChatClient connect(
      RelayServer server, TestPki pki, Path dir, String user, ChatListener inbox) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(user))
            .withDevice(pki.device(user)),
        inbox);
  }
}
