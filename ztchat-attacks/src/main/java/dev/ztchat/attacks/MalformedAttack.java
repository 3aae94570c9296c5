package dev.ztchat.attacks;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.SecurityEvent;
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
        + "huge numbers, deep nesting, unknown types, unparseable envelopes, and malformed or"
        + " spoofed version-2 envelopes in binary frames";
  }

  @Override
  public String expectedDefence() {
    return "each is answered with an error (never 'internal') or a close, each v2 envelope with"
        + " the error docs/v2/envelope.md names (a spoofed one dropped silently); the server"
        + " stays up and serving";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<Long> bystanderNanos = new ArrayList<>();
    Map<String, byte[]> corpus;
    try (RawFrameClient bystander = AttackConnections.welcomed(target, "bob")) {
      int maxFrame = bystander.welcome().maxFrame();
      corpus = MalformedCorpus.entries(maxFrame);
      Map<String, MalformedCorpus.Expected> v2 = MalformedCorpus.v2Expectations(maxFrame);
      int i = 0;
      for (Map.Entry<String, byte[]> bad : corpus.entrySet()) {
        MalformedCorpus.Expected expected = v2.get(bad.getKey());
        long spoofsBefore = target.count(SecurityEvent.SPOOFING);
        Answer a;
        try (RawFrameClient c = AttackConnections.welcomed(target, "alice")) {
          a = answer(c, bad.getValue());
        }
        String outcome = expected != null && expected.silent() ? silentOutcome(a) : a.outcome();
        outcomes.merge(outcome, 1, Integer::sum);
        String failure = judge(target, expected, a, spoofsBefore);
        if (failure != null) {
          failures.add(bad.getKey() + ": " + failure);
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
        corpus.size()
            + " broken frames -> "
            + outcomes
            + "; bystander served after each (median "
            + Waits.ms(Waits.medianMillis(bystanderNanos))
            + "), new connections still accepted";
    return failures.isEmpty()
        ? Verdict.held(summary)
        : Verdict.broken(summary + "; not handled: " + failures);
  }

  /** What one entry got: a short outcome for the summary, and the error frame if one came. */
  private record Answer(String outcome, Frame.Error error) {}

  /**
   * Why the answer breaks the defence, or null. Every entry needs an error (never {@code internal})
   * or a close; a v2 entry needs exactly the answer docs/v2/envelope.md names.
   */
  private static String judge(
      AttackTarget target, MalformedCorpus.Expected expected, Answer a, long spoofsBefore)
      throws InterruptedException {
    if (expected == null) {
      boolean bad = a.outcome().startsWith("no answer") || a.outcome().equals("error internal");
      return bad ? a.outcome() : null;
    }
    if (expected.silent()) {
      if (a.error() != null || !a.outcome().startsWith("no answer within")) {
        return a.outcome() + ", expected a silent drop";
      }
      if (spoofsBefore >= 0
          && !Polling.eventually(
              Duration.ofSeconds(2), () -> target.count(SecurityEvent.SPOOFING) > spoofsBefore)) {
        return "dropped, but the relay logged no SPOOFING event";
      }
      return null;
    }
    if (a.error() == null
        || a.error().code() != expected.code()
        || !expected.message().equals(a.error().message())) {
      return (a.error() == null ? a.outcome() : a.outcome() + " '" + a.error().message() + "'")
          + ", expected error "
          + expected.code().wire()
          + " '"
          + expected.message()
          + "'";
    }
    return null;
  }

  private static String silentOutcome(Answer a) {
    return a.outcome().startsWith("no answer within") ? "dropped silently" : a.outcome();
  }

  private static Answer answer(RawFrameClient c, byte[] bytes) {
    try {
      c.sendRaw(bytes);
    } catch (IOException e) {
      return new Answer("closed", null);
    }
    try {
      Frame f = c.read(ANSWER);
      while (f instanceof Frame.Deliver) {
        f = c.read(ANSWER); // envelopes the relay stored for this user earlier: not an answer
      }
      if (f instanceof Frame.Error e) {
        return new Answer(
            e.code() == ErrorCode.INTERNAL ? "error internal" : "error " + e.code().wire(), e);
      }
      return new Answer("no answer but a " + f.type(), null);
    } catch (SocketTimeoutException e) {
      return new Answer("no answer within " + ANSWER.toSeconds() + " s", null);
    } catch (IOException e) {
      return new Answer("closed", null);
    } catch (MalformedFrameException e) {
      return new Answer("no answer but a malformed frame", null);
    }
  }
}
