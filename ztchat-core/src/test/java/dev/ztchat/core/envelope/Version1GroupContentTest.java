package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupRules;
import dev.ztchat.core.testkit.MutableClock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Groups are version 2 only (docs/v2/groups.md section 3): version 1 never carries kinds 3, 4 or 5.
 */
class Version1GroupContentTest {
  private final MutableClock clock = MutableClock.atRealNow();
  private final RsaOaepAesGcmSealer alice = Fixtures.sealer("alice", clock);
  private final RsaOaepAesGcmOpener bob = Fixtures.opener("bob", clock);
  private final GroupId group = GroupId.of(new byte[16]);

  @Test
  void version1Sealer_refusesGroupText() {
    assertThatThrownBy(
            () -> alice.seal(MessageContent.groupText(group, 1, "hi"), Fixtures.recipients("bob")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 2 only");
  }

  @Test
  void version1Sealer_refusesAForwardedGroupChange() {
    assertThatThrownBy(
            () ->
                alice.seal(
                    MessageContent.forwardedChange(new byte[] {1, 2, 3}),
                    Fixtures.recipients("bob")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 2 only");
  }

  @Test
  void version1Opener_refusesSignedGroupTextChangeAndForwardedChange_asMalformedContent()
      throws Exception {
    byte[] groupText = MessageContent.groupText(group, 1, "hi").encode();
    byte[] groupChange =
        MessageContent.groupChange(GroupRules.create(group, "team", "alice", List.of("bob")))
            .encode();
    byte[] forwarded = MessageContent.forwardedChange(new byte[] {1, 2, 3}).encode();
    for (byte[] plaintext : List.of(groupText, groupChange, forwarded)) {
      SealedEnvelope e =
          alice.sealPlaintext(
              plaintext,
              Fixtures.recipients("bob"),
              EnvelopeAlgorithms.randomBytes(32),
              EnvelopeAlgorithms.randomBytes(12),
              EnvelopeAlgorithms.randomBytes(16),
              clock.millis());

      assertThatThrownBy(() -> bob.open(e))
          .isInstanceOfSatisfying(
              EnvelopeRejectedException.class,
              r -> {
                assertThat(r.reason()).isEqualTo(RejectionReason.MALFORMED_CONTENT);
                assertThat(r.getMessage()).contains("only version 2");
              });
    }
  }
}
