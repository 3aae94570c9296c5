package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.EnvelopeTooLargeException;
import dev.ztchat.core.conversation.RecipientDevice;
import dev.ztchat.core.conversation.V2Device;
import dev.ztchat.core.conversation.V2MessageSealer;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.session.SessionSetupException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * Chooses the envelope version of each outgoing message and seals version 2 (docs/v2/messages.md,
 * the downgrade rule): version 2 to a peer whose device this device has a session with or whose
 * verified prekey bundle the relay hands out; version 1 only to a peer the relay has no version-2
 * keys for and who never proved version 2; nothing to a peer who proved version 2 but whose keys
 * the relay does not give now ({@link Choice.Withheld}: the message waits).
 *
 * <p>Sealing saves the ratchet and ledger state before it returns (the v2 sealer does), so the
 * envelope may leave at once and a re-send re-sends the same bytes. Thread-safe.
 */
final class V2Sending {
  /** What to do with one message. */
  sealed interface Choice {}

  /** Seal version 1, as before version 2. */
  record UseVersion1() implements Choice {}

  /** Sealed in version 2: send these bytes (as a binary frame). */
  record Sealed(V2Envelope envelope) implements Choice {}

  /** Nothing may be sealed now: keep the message and tell the user {@code explanation}. */
  record Withheld(String explanation) implements Choice {}

  private final V2Device device; // null without a device credential
  private volatile boolean stopped; // the device certificate was renewed while running
  private final PeerDevices devices;
  private final PeerVersions versions;
  private final ContactDirectory.ConnectionSource relay;
  private final Clock clock;
  private final SecureRandom random;

  V2Sending(
      V2Device device,
      PeerDevices devices,
      PeerVersions versions,
      ContactDirectory.ConnectionSource relay,
      Clock clock,
      SecureRandom random) {
    this.device = device;
    this.devices = requireNonNull(devices, "devices");
    this.versions = requireNonNull(versions, "versions");
    this.relay = requireNonNull(relay, "relay");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
  }

  /**
   * Decides how {@code content} goes to {@code peer} and, for version 2, seals it (which may take
   * one of the peer's one-time prekeys from the relay).
   *
   * @throws UntrustedContactException when the peer's device keys do not verify: nothing is sent
   * @throws MessageTooLongException when the version-2 envelope would not fit the relay's frame
   * @throws IOException when the relay or the local store cannot be used now: try again later
   */
  Choice choose(String peer, MessageContent content)
      throws IOException, UntrustedContactException, MessageTooLongException {
    boolean v1Allowed = versions.mayReceiveVersion1(peer);
    RelayConnection conn = relay.current();
    V2Device device = stopped ? null : this.device;
    if (device == null || !conn.relayVersions().contains(V2Envelope.VERSION)) {
      return v1Allowed
          ? new UseVersion1()
          : new Withheld(device == null ? noDeviceHere(peer) : relayWithoutVersion2(peer));
    }
    V2MessageSealer sealer = new V2MessageSealer(device, clock, random, conn.welcome().maxFrame());
    List<RecipientDevice> withSessions = sealer.devicesWithSessions(peer);
    if (!withSessions.isEmpty()) {
      return seal(sealer, content, withSessions.getFirst(), null);
    }
    return switch (devices.fetch(peer)) {
      case PeerDevices.Lookup.Found f ->
          seal(sealer, content, new RecipientDevice(peer, f.deviceId()), f);
      case PeerDevices.Lookup.NoDevice _ ->
          v1Allowed ? new UseVersion1() : new Withheld(keysWithheld(peer));
    };
  }

  /**
   * Seals nothing more in version 2: the device certificate was renewed while running, so its key
   * is no longer valid; messages to peers who proved version 2 wait for a restart.
   */
  void stop() {
    stopped = true;
  }

  private static Choice seal(
      V2MessageSealer sealer,
      MessageContent content,
      RecipientDevice target,
      PeerDevices.Lookup.Found bundle)
      throws IOException, UntrustedContactException, MessageTooLongException {
    try {
      return new Sealed(
          sealer.seal(
              content, List.of(target), bundle == null ? List.of() : List.of(bundle.bundle())));
    } catch (SessionSetupException e) {
      throw new UntrustedContactException(
          "cannot start a version-2 session with "
              + target.name()
              + "'s device ("
              + e.getMessage()
              + "). Nothing was sent. The server may be compromised; tell your administrator.");
    } catch (EnvelopeTooLargeException e) {
      int over = Math.max(1, e.length() - e.limit());
      int textBytes =
          content.kind() == dev.ztchat.core.envelope.ContentKind.TEXT
              ? content.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              : 0;
      throw new MessageTooLongException(textBytes, Math.max(0, textBytes - over), e.limit());
    }
  }

  /** Told when a peer who proved version 2 has no keys at the relay now. */
  static String keysWithheld(String peer) {
    return "[!] Your messages to "
        + peer
        + " wait: "
        + peer
        + " has used encryption version 2, but the server now gives no version-2 keys for "
        + peer
        + ". The server may be hiding them to make you fall back to the weaker version 1, which"
        + " this client refuses. The messages go out once "
        + peer
        + "'s keys are available again (for instance after "
        + peer
        + " reconnects); if this lasts, tell your administrator.";
  }

  static String noDeviceHere(String peer) {
    return "[!] Your messages to "
        + peer
        + " wait: "
        + peer
        + " uses encryption version 2, and this device has no version-2 device certificate."
        + " Ask your administrator for one (pki issue YOUR-NAME --add-device) and restart.";
  }

  static String relayWithoutVersion2(String peer) {
    return "[!] Your messages to "
        + peer
        + " wait: "
        + peer
        + " uses encryption version 2, which this server does not carry. Connect to an updated"
        + " server, or tell your administrator.";
  }
}
