package dev.ztchat.attacks;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.core.envelope.AcceptancePolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Connects real chat clients (the victims of end-to-end attacks) as a user of the target's PKI. */
final class Victims {
  private Victims() {}

  /** A real {@link ChatClient} for {@code user}, keeping its state in {@code dataDir}. */
  static ChatClient connect(
      AttackTarget target,
      String user,
      String host,
      int port,
      Path dataDir,
      Clock clock,
      VictimScreen screen)
      throws Exception {
    ChatClientConfig config =
        new ChatClientConfig(
            host,
            port,
            target.user(user),
            target.caCertificate(),
            dataDir,
            AcceptancePolicy.DEFAULT,
            clock,
            List.of());
    return ChatClient.connect(config, screen);
  }
}
