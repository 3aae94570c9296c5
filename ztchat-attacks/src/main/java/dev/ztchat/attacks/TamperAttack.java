package dev.ztchat.attacks;

import dev.ztchat.client.ChatClient;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.testkit.HostileRelay;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code tamper}: a hostile relay holds back alice's genuine envelopes to bob and delivers each one
 * altered in a different way ({@link Tampering}); a last envelope is delivered untouched as the
 * control. Each variant is made from its own envelope, so the replay check cannot be what stops it.
 */
final class TamperAttack implements Attack {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Override
  public String name() {
    return "tamper";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay alters alice->bob envelopes: sender, recipients, timestamp, id, nonce,"
        + " ciphertext, tag, wrapped key, key id, signature, truncation ("
        + Tampering.variants().size()
        + " variants)";
  }

  @Override
  public String expectedDefence() {
    return "bob's client rejects every variant (signature, AAD, addressed-to-me checks) and shows"
        + " nothing altered";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    Map<String, UnaryOperator<byte[]>> variants = Tampering.variants();
    VictimScreen bobScreen = new VictimScreen();
    try (HostileRelay relay = HostileRelays.start(target);
        ChatClient bob =
            Victims.connect(
                target,
                "bob",
                "localhost",
                relay.port(),
                target.newStateDir("bob"),
                Clock.systemUTC(),
                bobScreen);
        ChatClient alice =
            Victims.connect(
                target,
                "alice",
                "localhost",
                relay.port(),
                target.newStateDir("alice"),
                Clock.systemUTC(),
                new VictimScreen())) {
      relay.forwardSends(false);
      List<byte[]> genuine = new ArrayList<>();
      for (int i = 0; i <= variants.size(); i++) {
        alice.send("bob", "original message " + i);
        genuine.add(HostileRelays.nextCaptured(relay, WAIT).envelope());
      }
      List<String> results = new ArrayList<>();
      List<String> shown = new ArrayList<>();
      int i = 0;
      for (Map.Entry<String, UnaryOperator<byte[]>> v : variants.entrySet()) {
        relay.inject("bob", v.getValue().apply(genuine.get(i++)));
        VictimScreen.Rejection r = bobScreen.nextRejection(WAIT);
        OpenedMessage m = r == null ? bobScreen.nextShown(Duration.ofMillis(10)) : null;
        results.add(
            v.getKey()
                + " -> "
                + (r != null ? r.label() : m != null ? "SHOWN" : "nothing reported"));
        if (r == null) {
          shown.add(v.getKey());
        }
      }
      relay.inject("bob", genuine.get(variants.size()));
      OpenedMessage control = bobScreen.nextShown(WAIT);
      if (control == null || !control.text().equals("original message " + variants.size())) {
        throw new CouldNotRunException(
            "the untouched control envelope was not shown to bob; variants: " + results);
      }
      int extra = bobScreen.shownCount();
      String observed =
          String.join("; ", results)
              + "; untouched control shown; altered messages shown: "
              + extra;
      return shown.isEmpty() && extra == 0
          ? Verdict.held(observed)
          : Verdict.broken("not rejected: " + shown + "; " + observed);
    }
  }
}
