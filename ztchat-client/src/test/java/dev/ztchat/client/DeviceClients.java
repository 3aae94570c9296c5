package dev.ztchat.client;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

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

  /** A further device certificate {@code device} for {@code name}, valid for 30 days from now. */
  static Credential issue(TestPki pki, String name, String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  /** {@code user}'s client config on device {@code device}, its state in {@code dir/folder}. */
  static ChatClientConfig config(
      int port, TestPki pki, Path dir, String user, String folder, Credential device) {
    return ChatClientConfig.of(
            "localhost", port, pki.user(user), pki.ca().certificate(), dir.resolve(folder))
        .withDevice(device);
  }
}
