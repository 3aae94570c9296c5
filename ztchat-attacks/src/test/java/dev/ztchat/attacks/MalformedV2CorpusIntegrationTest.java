package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.SecurityEvent;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The version-2 part of the {@code malformed} corpus against a real relay: each malformed v2
 * envelope in a binary {@code send} gets exactly the error docs/v2/envelope.md names and the
 * connection stays open; a spoofed one is dropped silently and logged.
 */
class MalformedV2CorpusIntegrationTest {
  static AttackTarget target;
  static Map<String, byte[]> corpus;
  static Map<String, MalformedCorpus.Expected> expected;

  @BeforeAll
  static void start() throws Exception {
    target = AttackTarget.startLocal();
    corpus = MalformedCorpus.entries(ProtocolLimits.DEFAULT_MAX_FRAME);
    expected = MalformedCorpus.v2Expectations(ProtocolLimits.DEFAULT_MAX_FRAME);
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  @Test
  void corpus_holdsEveryV2Malformation_inBinaryFrames_andNoLongerCallsVersion2Unknown() {
    assertThat(expected.keySet())
        .containsExactly(
            "v2 truncated prefix",
            "v2 body length past the end",
            "v2 empty body",
            "v2 empty signature",
            "v2 signature length past the end",
            "v2 over maxEnvelope",
            "v2 trailing byte",
            "v2 unknown version byte",
            "v2 spoofed sender");
    assertThat(corpus.keySet()).containsAll(expected.keySet());
    for (String label : expected.keySet()) {
      byte[] frame = corpus.get(label);
      assertThat(frame[4]).as("%s: binary marker", label).isEqualTo((byte) 0xff);
      assertThat(frame[5]).as("%s: binary send", label).isEqualTo((byte) 1);
      assertThat(frame.length - 4).as(label).isLessThanOrEqualTo(ProtocolLimits.DEFAULT_MAX_FRAME);
    }
    assertThat(corpus.keySet())
        .doesNotContain("envelope version 2")
        .contains("v1 layout with version byte 2");
  }

  @Test
  void everyMalformedV2Envelope_getsTheErrorTheSpecNames_andTheConnectionStaysOpen()
      throws Exception {
    try (RawFrameClient alice = AttackConnections.welcomed(target, "alice")) {
      int i = 0;
      for (Map.Entry<String, MalformedCorpus.Expected> e : expected.entrySet()) {
        if (e.getValue().silent()) {
          continue;
        }
        alice.sendRaw(corpus.get(e.getKey()));
        Frame answer = alice.answerTo("m", Duration.ofSeconds(5));
        assertThat(answer)
            .as(e.getKey())
            .isInstanceOfSatisfying(
                Frame.Error.class,
                err -> {
                  assertThat(err.code()).as(e.getKey()).isEqualTo(ErrorCode.BAD_ENVELOPE);
                  assertThat(err.message()).as(e.getKey()).isEqualTo(e.getValue().message());
                });
        alice.pingRoundTrip("still" + i++); // fewer than 16 errors: the connection stays
      }
    }
  }

  @Test
  void spoofedV2Envelope_isDroppedSilently_loggedAsSpoofing_andNeverReachesCarol()
      throws Exception {
    long before = target.count(SecurityEvent.SPOOFING);
    try (RawFrameClient alice = AttackConnections.welcomed(target, "alice")) {
      alice.sendRaw(corpus.get(MalformedCorpus.V2_SPOOFED));
      assertThat(alice.answerTo("m", Duration.ofSeconds(2))).as("no answer at all").isNull();
      alice.pingRoundTrip("after");
    }
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(5), () -> target.count(SecurityEvent.SPOOFING) > before))
        .isTrue();
    try (RawFrameClient carol = AttackConnections.welcomed(target, "carol")) {
      assertThat(carol.silentFor(Duration.ofMillis(1500))).as("nothing delivered").isTrue();
    }
  }

  @Test
  void malformedAttack_withTheV2Entries_isHeld_andTheRelayStaysUp() {
    AttackRunner.Result r = AttackRunner.run(new MalformedAttack(), target);

    assertThat(r.verdict().outcome())
        .as(AttackRunner.verdictLine(r))
        .isEqualTo(Verdict.Outcome.HELD);
    assertThat(r.verdict().observed())
        .startsWith(corpus.size() + " broken frames")
        .contains("dropped silently=1");
  }
}
