package dev.ztchat.attacks;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

  /**
   * A version-2 device credential for {@code user}, minted by the target's CA for one attack: the
   * relay keeps one current device per user and refuses a fresh state's prekeys for a device it
   * already holds, so each attack's clients are new devices.
   */
  static Credential newDevice(AttackTarget target, String user) throws CouldNotRunException {
    return CertificateIssuer.issueDevice(
        target.caCredential(),
        user,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(7), // valid when the stale attack moves alice's clock a day ahead
        null);
  }

  /**
   * A real {@link ChatClient} for {@code user} with the version-2 credential {@code device}: it
   * publishes prekeys and speaks version 2 to peers that do.
   */
  static ChatClient connectV2(
      AttackTarget target,
      String user,
      Credential device,
      int port,
      Path dataDir,
      Clock clock,
      VictimScreen screen)
      throws Exception {
    ChatClientConfig config =
        new ChatClientConfig(
                "localhost",
                port,
                target.user(user),
                target.caCertificate(),
                dataDir,
                AcceptancePolicy.DEFAULT,
                clock,
                List.of())
            .withDevice(device);
    return ChatClient.connect(config, screen);
  }
}
