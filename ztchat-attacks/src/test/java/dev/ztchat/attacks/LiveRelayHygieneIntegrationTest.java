package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testkit.RawFrameClient;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks against a live relay judge only their own envelopes and leave nothing in real users'
 * queues: a real message waiting for the victim neither changes the verdict nor disappears.
 */
class LiveRelayHygieneIntegrationTest {
  AttackTarget target;

  @BeforeEach
  void start() throws Exception {
    target = AttackTarget.startLocal();
  }

  @AfterEach
  void stop() {
    target.close();
  }

  /** A genuine-looking message from {@code from} queued for offline {@code to}; its id. */
  String queueRealMessage(String from, String to) throws Exception {
    try (RawFrameClient sender = AttackConnections.welcomed(target, from)) {
      byte[] e = Envelopes.structural(from, to);
      sender.send(new Frame.Send("real", e));
      assertThat(sender.answerTo("real", Duration.ofSeconds(5))).isInstanceOf(Frame.Sent.class);
      return RawFrameClient.idOf(e);
    }
  }

  /** The ids of everything queued for {@code user}, read without acknowledging anything. */
  List<String> queuedFor(String user) throws Exception {
    List<String> ids = new ArrayList<>();
    try (RawFrameClient c = AttackConnections.welcomed(target, user)) {
      while (true) {
        if (c.read(Duration.ofMillis(1500)) instanceof Frame.Deliver d) {
          ids.add(EnvelopeCodec.decodeHeader(d.envelope()).messageIdHex());
        }
      }
    } catch (SocketTimeoutException quiet) {
      return ids;
    }
  }

  @Test
  void spoof_whenCarolAlreadyHasAMessageQueued_isHeld_andLeavesOnlyThatMessageQueued()
      throws Exception {
    String real = queueRealMessage("bob", "carol");

    AttackRunner.Result r = AttackRunner.run(new SpoofAttack(), target);

    assertThat(r.verdict().outcome())
        .as(AttackRunner.verdictLine(r))
        .isEqualTo(Verdict.Outcome.HELD);
    assertThat(queuedFor("carol")).containsExactly(real);
  }

  @Test
  void flood_whenBobAlreadyHasAMessageQueued_isHeld_andLeavesOnlyThatMessageQueued()
      throws Exception {
    String real = queueRealMessage("carol", "bob");

    AttackRunner.Result r = AttackRunner.run(new FloodAttack(), target);

    assertThat(r.verdict().outcome())
        .as(AttackRunner.verdictLine(r))
        .isEqualTo(Verdict.Outcome.HELD);
    assertThat(queuedFor("bob")).containsExactly(real);
  }

  @Test
  void stale_whenAliceAlreadyHasAMessageQueued_isHeld_andLeavesOnlyThatMessageQueued()
      throws Exception {
    String real = queueRealMessage("carol", "alice");

    AttackRunner.Result r = AttackRunner.run(new StaleAttack(), target);

    assertThat(r.verdict().outcome())
        .as(AttackRunner.verdictLine(r))
        .isEqualTo(Verdict.Outcome.HELD);
    assertThat(queuedFor("alice"))
        .as("bob's receipt for the control message is taken off too")
        .containsExactly(real);
    assertThat(queuedFor("bob")).isEmpty();
  }

  @Test
  void connectionFlood_leavesNothingQueuedForCarol() throws Exception {
    AttackRunner.Result r = AttackRunner.run(new ConnectionFloodAttack(), target);

    assertThat(r.verdict().outcome())
        .as(AttackRunner.verdictLine(r))
        .isEqualTo(Verdict.Outcome.HELD);
    assertThat(queuedFor("carol")).isEmpty();
  }
}
