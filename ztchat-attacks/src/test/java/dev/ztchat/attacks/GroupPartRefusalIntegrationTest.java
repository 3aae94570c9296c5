package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.SendResult;
import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A group text in two envelopes (one member each) whose second part the relay refuses after the
 * first was stored for bob (docs/v2/groups.md section 7.1, item 9): alice keeps the message as sent
 * and is told that it did not reach carol and why; a refusal that may pass (the relay's store busy)
 * is kept and reaches carol later, and one that would only be refused again is not.
 */
class GroupPartRefusalIntegrationTest {
  private static final Duration QUIET = Duration.ofSeconds(2);
  static AttackTarget target;

  @BeforeAll
  static void start() throws Exception {
    target = AttackTarget.startLocal();
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  /** A text as long as alice may send to one member: two members never share an envelope. */
  private static String oneMemberPerEnvelope(ChatClient alice) throws Exception {
    try {
      alice.sendToGroup(GroupStage.GROUP, "w".repeat(60_000));
    } catch (MessageTooLongException e) {
      return "w".repeat(e.maxBytes() - 16);
    }
    throw new AssertionError("a 60,000-byte text was accepted");
  }

  /** The history holds the long text once, accepted by the relay (sent, or received by bob). */
  private static void assertKeptAsSent(ChatClient alice, String text) throws Exception {
    List<HistoryEntry> history = alice.groupHistory(GroupStage.GROUP, 5);
    assertThat(history).as("the history keeps the message once: it reached bob").hasSize(1);
    assertThat(history.getFirst().text().equals(text)).as("it is the long text").isTrue();
    assertThat(history.getFirst().state())
        .isIn(HistoryEntry.State.SENT, HistoryEntry.State.DELIVERED);
  }

  /** Refuses, with {@code code}, alice's envelopes of at least {@code size} bytes naming carol. */
  private static void refuseCarolsPart(InterceptingRelay relay, int size, ErrorCode code) {
    relay.answerSends(
        s -> {
          try {
            RoutingPrefix p = EnvelopeFormats.decodeRoutable(s.envelope());
            return p.sender().equals("alice")
                    && p.recipients().contains("carol")
                    && s.envelope().length >= size
                ? new Frame.Error(s.ref(), code, "refused in a test")
                : null;
          } catch (MalformedEnvelopeException e) {
            return null;
          }
        });
  }

  @Test
  void aLaterPartRefusedAsBusy_keepsTheMessage_tellsAlice_andReachesCarolOnTheNextSend()
      throws Exception {
    try (GroupStage stage = GroupStage.start(target, List.of("alice", "bob", "carol"))) {
      ChatClient alice = stage.client("alice");
      String text = oneMemberPerEnvelope(alice);
      refuseCarolsPart(stage.relay, text.length(), ErrorCode.INTERNAL);

      SendResult sent = alice.sendToGroup(GroupStage.GROUP, text);
      assertThat(sent.statusOf("bob").accepted()).isTrue();
      assertThat(sent.statusOf("carol")).as("carol's part was refused").isNull();
      stage.awaitGroupText("bob", "alice", text);
      assertKeptAsSent(alice, text);
      assertThat(stage.screen("alice").nextNotice("not carol", QUIET))
          .as("alice is told whom it did not reach, why, and that it goes again")
          .contains("refused in a test")
          .contains("sent to them again");
      assertThat(stage.screen("carol").nextGroupShown(text, QUIET)).isNull();

      stage.relay.answerSends(s -> null); // the relay's store is free again
      alice.sendToGroup(GroupStage.GROUP, "next");
      stage.awaitGroupText("carol", "alice", text);
      stage.awaitGroupText("carol", "alice", "next");
      stage.awaitGroupText("bob", "alice", "next");
      assertThat(stage.screen("bob").groupShownTexts())
          .as("bob got the long text once")
          .noneMatch(g -> g.text().equals(text));
    }
  }

  @Test
  void aLaterPartRefusedForGood_keepsTheMessageAsSent_andTellsAliceItWillNotReachCarol()
      throws Exception {
    try (GroupStage stage = GroupStage.start(target, List.of("alice", "bob", "carol"))) {
      ChatClient alice = stage.client("alice");
      String text = oneMemberPerEnvelope(alice);
      refuseCarolsPart(stage.relay, text.length(), ErrorCode.BAD_ENVELOPE);

      SendResult sent = alice.sendToGroup(GroupStage.GROUP, text);
      assertThat(sent.statusOf("bob").accepted()).isTrue();
      stage.awaitGroupText("bob", "alice", text);
      assertKeptAsSent(alice, text);
      assertThat(stage.screen("alice").nextNotice("not carol", QUIET))
          .contains("refused in a test")
          .contains("will not be sent to them");

      stage.relay.answerSends(s -> null);
      alice.sendToGroup(GroupStage.GROUP, "next");
      stage.awaitGroupText("carol", "alice", "next");
      assertThat(stage.screen("carol").groupShownTexts())
          .as("nothing of the refused part was kept for carol")
          .noneMatch(g -> g.text().equals(text));
    }
  }
}
