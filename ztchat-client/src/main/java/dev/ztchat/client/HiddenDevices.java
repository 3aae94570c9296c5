package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.RecipientDevice;
import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.conversation.V2Device;
import dev.ztchat.core.conversation.V2MessageSealer;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.protocol.ProtocolLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects devices of a contact that the relay left out of this device's view of them
 * (docs/v2/devices.md section 6.4), from what opened version-2 envelopes prove:
 *
 * <ul>
 *   <li>a message that opens from a certified device of a contact that is neither in this device's
 *       set for them nor held: the device wrote, so it exists (the opener verified its certificate
 *       and signature); it is told and kept as a contact's new device is (section 6.3);
 *   <li>a copy from one of my own other devices whose entries name a device of a contact this
 *       device does not know (its bundle is fetched and verified first), or leave out one this
 *       device seals to: the two views disagree, and the user is told.
 * </ul>
 *
 * <p>It runs after the message was stored, shown and acknowledged, so it never changes what the
 * user reads; its own failures are logged, not raised. A disagreement that cannot be resolved is
 * told once per run. Called on the receiving thread only.
 */
final class HiddenDevices {
  private static final Logger LOG = LoggerFactory.getLogger(HiddenDevices.class);

  private final String me;
  private final V2Device device; // null without a device credential: nothing to check
  private final PeerDevices devices;
  private final boolean sendToNewDevices;
  private final ChatListener listener;
  private final Clock clock;
  private final SecureRandom random;
  private final Set<String> told = ConcurrentHashMap.newKeySet();

  HiddenDevices(
      String me,
      V2Device device,
      PeerDevices devices,
      boolean sendToNewDevices,
      ChatListener listener,
      Clock clock,
      SecureRandom random) {
    this.me = requireNonNull(me, "me");
    this.device = device;
    this.devices = requireNonNull(devices, "devices");
    this.sendToNewDevices = sendToNewDevices;
    this.listener = requireNonNull(listener, "listener");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
  }

  /** Checks the opened envelope {@code bytes} ({@code m}); never throws. */
  void opened(OpenedMessage m, byte[] bytes) {
    if (device == null || m.version() != V2Envelope.VERSION) {
      return;
    }
    try {
      V2Envelope envelope = V2Envelope.decode(bytes);
      V2Body body = V2Body.decode(envelope.body(), envelope.prefix());
      if (m.sender().equals(me)) {
        compareWithMyOtherDevice(body);
      } else {
        wroteFrom(m.sender(), HexFormat.of().formatHex(body.senderDevice()));
      }
    } catch (IOException | MalformedEnvelopeException | RuntimeException e) {
      LOG.warn("could not compare the devices of an opened message: {}", e.toString());
    }
  }

  /** Section 6.4 (a): {@code person} wrote from {@code hex}. */
  private void wroteFrom(String person, String hex) throws IOException {
    List<String> known = devices.deviceSet(person);
    if (known.isEmpty() || known.contains(hex) || devices.heldDevices(person).contains(hex)) {
      return; // no view yet (the first bundle decides, section 6.1), or a device already known
    }
    listener.onNotice(
        "[!] A message from "
            + person
            + " came from a device this device was never told of (fingerprint "
            + PeerDevices.fingerprint(hex)
            + "): a new device of "
            + person
            + ", or one the server left out of their devices. The message itself is genuine"
            + " (certified by your CA and signed).");
    tellNew(person, hex, known, deviceName(sessionCertificate(person, hex)));
  }

  /** Section 6.4 (b): a copy from my other device shows which devices it sealed to. */
  private void compareWithMyOtherDevice(V2Body body) throws IOException {
    String from = HexFormat.of().formatHex(body.senderDevice());
    LinkedHashSet<String> persons = new LinkedHashSet<>();
    body.entries().forEach(e -> persons.add(e.recipient()));
    persons.remove(me);
    for (String person : persons) {
      List<String> known = devices.deviceSet(person);
      if (known.isEmpty()) {
        continue;
      }
      List<String> held = devices.heldDevices(person);
      List<String> sealedTo =
          body.entries().stream()
              .filter(e -> e.recipient().equals(person))
              .map(e -> HexFormat.of().formatHex(e.recipientDevice()))
              .toList();
      for (String hex : sealedTo) {
        if (!known.contains(hex) && !held.contains(hex)) {
          unknownToMe(person, hex, known);
        }
      }
      for (String hex : known) {
        if (!sealedTo.contains(hex)) {
          unknownToMyOtherDevice(person, hex, from);
        }
      }
    }
  }

  /** My other device sealed to {@code person}'s device {@code hex}, which this one never saw. */
  private void unknownToMe(String person, String hex, List<String> known) throws IOException {
    if (told.contains(person + ":" + hex)) {
      return;
    }
    Optional<PeerDevices.Lookup.Found> found;
    try {
      found = devices.fetchDevice(person, hex);
    } catch (UntrustedContactException e) {
      told.add(person + ":" + hex);
      listener.onNotice(
          "[!] Your other device wrote to a device of "
              + person
              + " that does not verify here: "
              + e.getMessage());
      return;
    }
    if (found.isEmpty()) {
      told.add(person + ":" + hex);
      listener.onNotice(
          "[!] Your other device wrote to a device of "
              + person
              + " (fingerprint "
              + PeerDevices.fingerprint(hex)
              + ") that the server now holds no keys for; this device cannot check it.");
      return;
    }
    listener.onNotice(
        "[!] Your other device writes to a device of "
            + person
            + " that the server did not list to this device (fingerprint "
            + PeerDevices.fingerprint(hex)
            + "): your devices disagree on "
            + person
            + "'s devices.");
    tellNew(person, hex, known, deviceName(found.get().bundle().certificateDer()));
  }

  /** My other device {@code from} did not seal to {@code person}'s device {@code hex} I seal to. */
  private void unknownToMyOtherDevice(String person, String hex, String from) throws IOException {
    String key = person + ":" + hex + ":" + from;
    if (!told.add(key)) {
      return;
    }
    try {
      if (devices.fetchDevice(person, hex).isEmpty()) {
        LOG.debug("no keys at the relay for a device of {} the other device left out", person);
      }
    } catch (UntrustedContactException e) {
      // No longer the person's (revoked, expired): my other device was right to leave it out, and
      // the next message from here leaves it out too (section 6.1).
      return;
    }
    listener.onNotice(
        "[!] Your other device (fingerprint "
            + PeerDevices.fingerprint(from)
            + ") did not write to a device of "
            + person
            + " that this device writes to (fingerprint "
            + PeerDevices.fingerprint(hex)
            + "): it has not accepted that device yet, or the server hides it from that device."
            + " Compare "
            + person
            + "'s devices on both of yours.");
  }

  /** Keeps {@code person}'s device {@code hex} as new (held or sealed to) and tells the user. */
  private void tellNew(String person, String hex, List<String> known, String name)
      throws IOException {
    if (devices.addToSet(person, List.of(hex), sendToNewDevices).isEmpty()) {
      return;
    }
    String fingerprint = PeerDevices.fingerprint(hex);
    if (sendToNewDevices) {
      listener.onNotice(
          "[!] Your messages to "
              + person
              + " now go to that device too (--new-devices send). If "
              + person
              + " did not get a new device, tell your administrator.");
      return;
    }
    List<String> shortIds = new ArrayList<>();
    known.forEach(k -> shortIds.add(k.substring(0, 16) + "…"));
    listener.onSendBlocked(
        new KeyChangedException(person, String.join(", ", shortIds), fingerprint, hex, name));
  }

  /** The certificate of the session with {@code person}'s device {@code hex}, if readable. */
  private Optional<byte[]> sessionCertificate(String person, String hex) throws IOException {
    return new V2MessageSealer(device, clock, random, ProtocolLimits.DEFAULT_MAX_FRAME)
        .sessionCertificate(new RecipientDevice(person, HexFormat.of().parseHex(hex)));
  }

  private static String deviceName(Optional<byte[]> der) {
    return der.map(HiddenDevices::deviceName).orElse("");
  }

  /** The device name in the certificate {@code der}; "" when it does not decode. */
  private static String deviceName(byte[] der) {
    try {
      return Certificates.deviceName(
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der)));
    } catch (CertificateException | ClassCastException e) {
      return "";
    }
  }
}
