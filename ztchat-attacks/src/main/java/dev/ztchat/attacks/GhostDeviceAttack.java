package dev.ztchat.attacks;

import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.testkit.MutableClock;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code ghost-device} (docs/v2/devices.md section 6.3): after alice has written to bob, a hostile
 * relay tells her that her list of bob's devices is stale and names a device of bob she has never
 * seen, and hands out its bundle: (a) a device certificate from a rogue CA, which must be refused;
 * (b) a CA-issued device of bob that bob never accepted (a stolen-but-certified device), which
 * alice must be told about and, with the default setting, must seal nothing to before she accepts.
 */
final class GhostDeviceAttack implements Attack {
  private final SecureRandom random = new SecureRandom();

  @Override
  public String name() {
    return "ghost-device";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay adds a device to bob's device list (stale_devices, then its bundle):"
        + " a rogue CA's device certificate, then a CA-issued device bob never accepted";
  }

  @Override
  public String expectedDefence() {
    return "alice's client refuses the rogue device; it tells her of the certified one with its"
        + " fingerprint and seals nothing to it before she accepts it";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    try (V2Pair pair = V2Pair.start(target, Clock.systemUTC(), MutableClock.followingSystem())) {
      pair.aliceSends("hello bob"); // bob's device is known to alice from here
      pair.bobShown("hello bob");
      Instant from = Instant.now().minus(Duration.ofMinutes(5));
      Credential rogueCa =
          CertificateIssuer.createRootCa("ztchat root CA", KeyType.EC, 0, from, Duration.ofDays(1));
      Credential rogue =
          CertificateIssuer.issueDevice(rogueCa, "bob", from, Duration.ofDays(1), null);
      Credential certified = Victims.newDevice(target, "bob");
      List<String> results = new ArrayList<>();
      List<String> leaked = new ArrayList<>();
      boolean told = false;
      for (int round = 0; round < 2; round++) {
        boolean isCertified = round == 1;
        Credential ghost = isCertified ? certified : rogue;
        String label = isCertified ? "CA-issued device bob never accepted" : "rogue CA's device";
        DeviceKey key = new DeviceKey(ghost.privateKey(), ghost.certificate());
        String id = HexFormat.of().formatHex(key.certificateHash());
        PrekeyStore prekeys = PrekeyStore.generate(key, 1, Instant.now(), random);
        byte[] der = ghost.certificate().getEncoded();
        pair.relay.answerBundleRequests(
            "bob",
            ref ->
                new Frame.PrekeyBundle(
                    ref,
                    "bob",
                    id,
                    der,
                    prekeys.signedPrekey().encode(),
                    prekeys.oneTimePrekeys().getFirst().encode(),
                    false));
        String entry = "bob:" + id;
        pair.relay.answerSends(
            s ->
                s.devices() != null && !s.devices().contains(entry)
                    ? new Frame.Error(
                        s.ref(),
                        ErrorCode.STALE_DEVICES,
                        "the devices this message is sealed to are out of date: missing="
                            + entry
                            + " extra= ;")
                    : null);
        int before = pair.relay.allSent().size();
        String outcome;
        try {
          pair.alice.send("bob", "secret for bob only (" + label + ")");
          outcome = "sent to bob's known device";
        } catch (UntrustedContactException | KeyChangedException e) {
          outcome = "refused";
        } catch (IOException e) {
          outcome = "not sent (" + e.getMessage() + ")";
        }
        pair.relay.answerSends(s -> null);
        for (InterceptingRelay.Sent s :
            pair.relay.allSent().subList(before, pair.relay.allSent().size())) {
          if (s.from().equals("alice") && sealedTo(s.envelope(), id)) {
            leaked.add(label);
          }
        }
        if (isCertified) {
          told = pair.aliceScreen.nextNotice("has a new device", Duration.ofSeconds(10)) != null;
        }
        results.add(label + " -> " + outcome);
      }
      String observed =
          String.join("; ", results)
              + "; alice told of the certified device: "
              + told
              + "; envelopes sealed to a ghost device: "
              + leaked.size();
      return leaked.isEmpty() && told ? Verdict.held(observed) : Verdict.broken(observed);
    }
  }

  /** Whether {@code envelope} has an entry for device {@code id} (hex). */
  static boolean sealedTo(byte[] envelope, String id) {
    try {
      V2Envelope e = V2Envelope.decode(envelope);
      return V2Body.decode(e.body(), e.prefix()).entries().stream()
          .anyMatch(x -> HexFormat.of().formatHex(x.recipientDevice()).equals(id));
    } catch (Exception notVersion2) {
      return false;
    }
  }
}
