package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testkit.Polling;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * alice and bob as version-2 clients (device credentials minted for the attack), both connected
 * through one {@link InterceptingRelay} in front of the target's relay: the stage of the version-2
 * end-to-end attacks.
 */
final class V2Pair implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  final AttackTarget target;
  final InterceptingRelay relay;
  final Path aliceState;
  final Path bobState;
  final VictimScreen aliceScreen = new VictimScreen();
  final VictimScreen bobScreen = new VictimScreen();
  final Clock bobClock;
  final Credential aliceDevice;
  final Credential bobDevice;
  ChatClient alice;
  ChatClient bob;

  private V2Pair(AttackTarget target, InterceptingRelay relay, Clock bobClock) throws Exception {
    this.target = requireNonNull(target, "target");
    this.relay = relay;
    this.bobClock = bobClock;
    this.aliceState = target.newStateDir("alice");
    this.bobState = target.newStateDir("bob");
    this.aliceDevice = Victims.newDevice(target, "alice");
    this.bobDevice = Victims.newDevice(target, "bob");
    relay.addDevice(aliceDevice);
    relay.addDevice(bobDevice);
  }

  /**
   * Connects bob (on {@code bobClock}) then alice through a new intercepting relay, and waits until
   * both published their prekeys, so alice's first message is version 2.
   */
  static V2Pair start(AttackTarget target, Clock aliceClock, Clock bobClock) throws Exception {
    InterceptingRelay relay = InterceptingRelay.start(target);
    V2Pair pair;
    try {
      pair = new V2Pair(target, relay, bobClock);
    } catch (Exception e) {
      relay.close();
      throw e;
    }
    try {
      pair.bob = pair.connectBob();
      pair.alice =
          Victims.connectV2(
              target,
              "alice",
              pair.aliceDevice,
              relay.port(),
              pair.aliceState,
              aliceClock,
              pair.aliceScreen);
      if (!Polling.eventually(
          WAIT, () -> relay.prekeysPublished("bob") && relay.prekeysPublished("alice"))) {
        throw new CouldNotRunException(
            "alice's and bob's version-2 clients did not publish prekeys through the relay");
      }
      return pair;
    } catch (Exception e) {
      pair.close();
      throw e;
    }
  }

  /** Closes bob's client and waits until the relay saw his connection go. */
  void closeBob() throws Exception {
    bob.close();
    bob = null;
    if (!Polling.eventually(WAIT, () -> !relay.isOpen("bob"))) {
      throw new CouldNotRunException("bob's closed client still had a connection to the relay");
    }
  }

  /** bob's client, again, on his state folder. */
  ChatClient connectBob() throws Exception {
    return Victims.connectV2(target, "bob", bobDevice, relay.port(), bobState, bobClock, bobScreen);
  }

  /**
   * alice sends {@code text}; returns the version-2 envelope she sent (CouldNotRun if she sent none
   * or sent version 1).
   */
  InterceptingRelay.Sent aliceSends(String text) throws Exception {
    return sends(alice, "alice", "bob", text);
  }

  /** bob sends {@code text} to alice; returns the version-2 envelope he sent. */
  InterceptingRelay.Sent bobSends(String text) throws Exception {
    return sends(bob, "bob", "alice", text);
  }

  private InterceptingRelay.Sent sends(ChatClient from, String name, String to, String text)
      throws Exception {
    // The envelope of this very message, by its id: receipts to the same peer go out meanwhile.
    String id = from.send(to, text).messageId();
    while (true) {
      InterceptingRelay.Sent s = relay.nextSent(name, WAIT);
      if (s == null) {
        throw new CouldNotRunException(name + "'s message did not reach the relay");
      }
      if (!s.prefix().messageIdHex().equals(id)) {
        continue;
      }
      if (s.prefix().version() != V2Envelope.VERSION) {
        throw new CouldNotRunException(
            name + " sent version " + s.prefix().version() + ", not version 2, to " + to);
      }
      return s;
    }
  }

  /** The next message shown to bob with {@code text}, CouldNotRun if none within the wait. */
  OpenedMessage bobShown(String text) throws Exception {
    return shown(bobScreen, "bob", text);
  }

  OpenedMessage aliceShown(String text) throws Exception {
    return shown(aliceScreen, "alice", text);
  }

  private static OpenedMessage shown(VictimScreen screen, String who, String text)
      throws Exception {
    // Twice the usual wait: a send the relay answered with internal (its store busy) is sent again.
    OpenedMessage m = screen.nextShown(WAIT.multipliedBy(2));
    if (m == null || !text.equals(m.text())) {
      throw new CouldNotRunException(
          "the genuine message '"
              + text
              + "' was not shown to "
              + who
              + (m == null ? " (nothing shown)" : " (another message shown)"));
    }
    return m;
  }

  @Override
  public void close() {
    if (alice != null) {
      alice.close();
    }
    if (bob != null) {
      bob.close();
    }
    relay.close();
  }
}
