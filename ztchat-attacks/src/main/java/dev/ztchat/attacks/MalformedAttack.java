package dev.ztchat.attacks;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code malformed}: each broken frame of {@link MalformedCorpus} on its own authenticated
 * connection, while a bystander checks after each one that the server still serves.
 */
final class MalformedAttack implements Attack {
  private static final Duration ANSWER = Duration.ofSeconds(3);

  @Override
  public String name() {
    return "malformed";
  }

  @Override
  public String whatIsTried() {
    return MalformedCorpus.entries().size()
        + " broken frames: bad lengths, truncated, invalid UTF-8, wrong types, "
        + "huge numbers, deep nesting, unknown types, unparseable envelopes";
  }

  @Override
  public String expectedDefence() {
    return "each is answered with an error (never 'internal') or a close; the server stays up and"
        + " serving";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<Long> bystanderNanos = new ArrayList<>();
    try (RawFrameClient bystander = AttackConnections.welcomed(target, "bob")) {
      int i = 0;
      for (Map.Entry<String, byte[]> bad : MalformedCorpus.entries().entrySet()) {
        String outcome;
        try (RawFrameClient c = AttackConnections.welcomed(target, "alice")) {
          outcome = answer(c, bad.getValue());
        }
        outcomes.merge(outcome, 1, Integer::sum);
        if (outcome.startsWith("no answer") || outcome.equals("error internal")) {
          failures.add(bad.getKey() + ": " + outcome);
        }
        try {
          bystanderNanos.add(bystander.pingRoundTrip("b" + i++));
        } catch (IOException | MalformedFrameException e) {
          return Verdict.broken(
              "after '"
                  + bad.getKey()
                  + "' the server no longer served the bystander: "
                  + e.getMessage());
        }
      }
    }
    try (RawFrameClient fresh = AttackConnections.welcomed(target, "bob")) {
      fresh.pingRoundTrip("after");
    } catch (Exception e) {
      return Verdict.broken(
          "after the corpus the server no longer accepts connections: " + e.getMessage());
    }
    String summary =
        MalformedCorpus.entries().size()
            + " broken frames -> "
            + outcomes
            + "; bystander served after each (median "
            + Waits.ms(Waits.medianMillis(bystanderNanos))
            + "), new connections still accepted";
    return failures.isEmpty()
        ? Verdict.held(summary)
        : Verdict.broken(summary + "; not handled: " + failures);
  }

  private static String answer(RawFrameClient c, byte[] bytes) {
    try {
      c.sendRaw(bytes);
    } catch (IOException e) {
      return "closed";
    }
    try {
      Frame f = c.read(ANSWER);
      while (f instanceof Frame.Deliver) {
        f = c.read(ANSWER); // envelopes the relay stored for this user earlier: not an answer
      }
      if (f instanceof Frame.Error e) {
        return e.code() == ErrorCode.INTERNAL ? "error internal" : "error " + e.code().wire();
      }
      return "no answer but a " + f.type();
    } catch (SocketTimeoutException e) {
      return "no answer within " + ANSWER.toSeconds() + " s";
    } catch (IOException e) {
      return "closed";
    } catch (MalformedFrameException e) {
      return "no answer but a malformed frame";
    }
  }
}
