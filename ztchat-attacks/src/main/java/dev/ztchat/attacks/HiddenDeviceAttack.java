package dev.ztchat.attacks;

import dev.ztchat.client.ChatClient;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.testkit.Polling;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * {@code hidden-device} (docs/v2/devices.md section 6.4): a hostile relay hides bob's phone from
 * alice (her bundles list only his laptop, and it adds the phone to her {@code send}s' device lists
 * so that the real relay's stale check does not tell her). She writes to bob; then the phone writes
 * to her. Her client must show the message (it is genuine), tell her of a device it was never told
 * of, with its fingerprint, and hold it: none of her messages is sealed to it before she accepts it
 * (her receipt for its own message goes to it, as to any device that writes).
 */
final class HiddenDeviceAttack implements Attack {
  private static final Duration WAIT = V2Pair.WAIT;
  private final SecureRandom random = new SecureRandom();

  @Override
  public String name() {
    return "hidden-device";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay hides bob's phone from alice (left out of her bundles' device lists"
        + " and added to her sends' so the stale check stays quiet), then the phone writes to her";
  }

  @Override
  public String expectedDefence() {
    return "alice's client shows the genuine message, tells her of a device of bob it was never"
        + " told of, with its fingerprint, and holds it: no message of hers is sealed to it"
        + " unaccepted";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    String tag = HexFormat.of().formatHex(random.generateSeed(3));
    Credential aliceDevice = device(target, "alice", "desk-" + tag);
    Credential bobLaptop = device(target, "bob", "laptop-" + tag);
    Credential bobPhone = device(target, "bob", "phone-" + tag);
    String laptop = hexId(bobLaptop);
    String phone = hexId(bobPhone);
    VictimScreen aliceScreen = new VictimScreen();
    VictimScreen laptopScreen = new VictimScreen();
    VictimScreen phoneScreen = new VictimScreen();
    try (InterceptingRelay relay = InterceptingRelay.start(target)) {
      relay.addDevice(aliceDevice);
      relay.addDevice(bobLaptop);
      relay.addDevice(bobPhone);
      try (ChatClient bobL = connect(target, relay, "bob", bobLaptop, laptopScreen);
          ChatClient bobP = connect(target, relay, "bob", bobPhone, phoneScreen);
          ChatClient alice = connect(target, relay, "alice", aliceDevice, aliceScreen)) {
        if (!Polling.eventually(
            WAIT,
            () ->
                relay.connectionsWithPrekeys("bob") == 2
                    && relay.connectionsWithPrekeys("alice") == 1)) {
          throw new CouldNotRunException("bob's two devices and alice did not publish prekeys");
        }
        relay.hide(new DeviceHiding("bob", phone, laptop, "alice"));

        alice.send("bob", "hello bob");
        if (laptopScreen.nextShown(WAIT) == null) {
          throw new CouldNotRunException("alice's message did not reach bob's laptop");
        }
        if (alice.devicesOf("bob").stream().anyMatch(d -> d.id().equals(phone))) {
          throw new CouldNotRunException("the relay could not hide bob's phone from alice");
        }
        bobP.send("alice", "hello alice, from my phone");
        boolean shown = aliceScreen.nextShown(WAIT) != null;
        String told = aliceScreen.nextNotice("was never told of", WAIT);
        boolean held =
            Polling.eventually(
                WAIT,
                () -> {
                  try {
                    return alice.devicesOf("bob").stream()
                        .anyMatch(d -> d.id().equals(phone) && !d.accepted());
                  } catch (IOException e) {
                    return false;
                  }
                });
        boolean withFingerprint =
            told != null
                && alice.devicesOf("bob").stream()
                    .anyMatch(d -> d.id().equals(phone) && told.contains(d.fingerprint()));
        // Her receipt for the phone's message goes to the phone, the device that wrote it
        // (section 6.1); what must not reach it before she accepts it is her next message.
        String after = alice.send("bob", "after the phone wrote").messageId();
        laptopScreen.nextShown(WAIT);
        long sealedToPhone =
            relay.allSent().stream()
                .filter(
                    s ->
                        s.prefix().messageIdHex().equals(after)
                            && GhostDeviceAttack.sealedTo(s.envelope(), phone))
                .count();
        String observed =
            "bob's phone hidden from alice's bundles and stale check; its message shown: "
                + shown
                + "; alice told of a device never told of: "
                + (told != null)
                + (withFingerprint ? " (with its fingerprint)" : "")
                + "; held: "
                + held
                + "; alice's next message sealed to it: "
                + sealedToPhone;
        return shown && withFingerprint && held && sealedToPhone == 0
            ? Verdict.held(observed)
            : Verdict.broken(observed);
      }
    }
  }

  private static Credential device(AttackTarget target, String user, String name)
      throws CouldNotRunException {
    return CertificateIssuer.issueDevice(
        target.caCredential(),
        user,
        name,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(7),
        null);
  }

  private static ChatClient connect(
      AttackTarget target,
      InterceptingRelay relay,
      String user,
      Credential device,
      VictimScreen screen)
      throws Exception {
    return Victims.connectV2(
        target, user, device, relay.port(), target.newStateDir(user), Clock.systemUTC(), screen);
  }

  private static String hexId(Credential device) throws Exception {
    return HexFormat.of()
        .formatHex(new DeviceKey(device.privateKey(), device.certificate()).certificateHash());
  }
}
