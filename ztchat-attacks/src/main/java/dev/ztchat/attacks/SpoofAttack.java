package dev.ztchat.attacks;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.SecurityEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** {@code spoof}: a user's connection sends an envelope that names another user as its sender. */
final class SpoofAttack implements Attack {
  private static final Duration QUIET = Duration.ofMillis(1500);

  @Override
  public String name() {
    return "spoof";
  }

  @Override
  public String whatIsTried() {
    return "authenticated as alice, send carol a message whose header says it is from bob";
  }

  @Override
  public String expectedDefence() {
    return "the relay drops it silently: nothing reaches carol, alice gets no answer; '[!] Spoofing"
        + " detected.' logged";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    long before = target.count(SecurityEvent.SPOOFING);
    try (RawFrameClient alice = AttackConnections.welcomed(target, "alice");
        RawFrameClient carol = AttackConnections.welcomed(target, "carol")) {
      // Judged by message id: carol may have real messages queued, and those are none of ours.
      byte[] spoofed = Envelopes.structural("bob", "carol");
      Set<String> spoofId = new HashSet<>(Set.of(RawFrameClient.idOf(spoofed)));
      alice.send(new Frame.Send("spoof", spoofed));
      carol.ackOwn(spoofId, QUIET); // acknowledged if it came, so it leaves nothing queued
      boolean carolGotNothing = !spoofId.isEmpty();
      Frame answer = alice.answerTo("spoof", Duration.ofMillis(300));

      // Control: the same path with an honest sender works, so the silence above was the defence.
      byte[] honest = Envelopes.structural("alice", "carol");
      Set<String> honestId = new HashSet<>(Set.of(RawFrameClient.idOf(honest)));
      alice.send(new Frame.Send("honest", honest));
      Frame sent = alice.answerTo("honest", Duration.ofSeconds(5));
      carol.ackOwn(honestId, Duration.ofSeconds(5));
      if (!(sent instanceof Frame.Sent) || !honestId.isEmpty()) {
        throw new CouldNotRunException(
            "the control message from alice to carol did not arrive as sent ("
                + (sent == null ? "no answer" : sent.type())
                + (honestId.isEmpty() ? "" : ", not delivered to carol")
                + "; more than 64 unread messages queued for carol hold it back)");
      }
      if (!carolGotNothing) {
        return Verdict.broken(
            "the relay forwarded the message that claimed to be from bob to carol");
      }
      if (answer != null) {
        return Verdict.broken(
            "carol got nothing, but the relay answered alice ("
                + answer.type()
                + ", no silent drop)");
      }
      String log;
      if (before < 0) {
        log = "look for '[!] Spoofing detected.' in the server's log";
      } else if (Polling.eventually(
          Duration.ofSeconds(2), () -> target.count(SecurityEvent.SPOOFING) > before)) {
        log = "the server logged '[!] Spoofing detected.' and SECURITY event=SPOOFING";
      } else {
        return Verdict.broken("the packet was dropped but the server logged no spoofing alert");
      }
      return Verdict.held(
          "[BLOCKED] Server ignored the packet (Silent Drop). (System is Secure). (carol received "
              + "nothing in "
              + QUIET.toMillis()
              + " ms, alice got no answer, an honest message still flowed and was "
              + "acknowledged; "
              + log
              + ")");
    }
  }
}
